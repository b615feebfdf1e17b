// The sign-in view: email and password, then whatever Cognito asks for next (an authenticator code,
// a new password, or setting up an authenticator app). The password goes to Cognito only.

import {
  CognitoError,
  answerChallenge,
  finishAuthenticatorSetup,
  initiateSignIn,
  startAuthenticatorSetup,
} from "./cognito.js";
import { banner, errorSummary, fill, h, showFieldError, textField } from "./render.js";

/**
 * Show the sign-in form in `view.main`. `message` (e.g. "You have signed out") is shown above it.
 * Calls `onSignedIn(tokens)` with Cognito's AuthenticationResult once the person is in.
 */
export function showSignIn(view, { message, onSignedIn }) {
  let username = "";

  const passwordStep = () => {
    const form = step({
      title: "Sign in",
      intro: "Sign in with the email address and password of your care-team account.",
      fields: [
        textField({ id: "username", label: "Email address", type: "email", autocomplete: "username",
                    spellcheck: "false", required: true }),
        textField({ id: "password", label: "Password", type: "password", autocomplete: "current-password",
                    required: true }),
      ],
      button: "Sign in",
      notice: message ? banner(message, { kind: "info" }) : null,
      focusHeading: Boolean(message),
      async submit(values) {
        const missing = [];
        if (!values.username) missing.push({ fieldId: "username", message: "Enter your email address." });
        if (!values.password) missing.push({ fieldId: "password", message: "Enter your password." });
        if (missing.length) return missing;
        username = values.username;
        await next(await initiateSignIn(values.username, values.password));
        return [];
      },
    });
    return form;
  };

  const mfaStep = (challenge) => step({
    title: "Enter your authenticator code",
    intro: "Open the authenticator app on your phone and enter the 6-digit code it shows for the care console.",
    fields: [codeField()],
    button: "Continue",
    async submit({ code }) {
      const problem = checkCode(code);
      if (problem) return [problem];
      await next(await answerChallenge(challenge, username, { SOFTWARE_TOKEN_MFA_CODE: code }));
      return [];
    },
  });

  const newPasswordStep = (challenge) => step({
    title: "Choose a new password",
    intro: "This is your first sign-in, so choose a password of your own. Use at least 14 characters, "
      + "with upper and lower case letters, a number and a symbol.",
    fields: [
      textField({ id: "new-password", label: "New password", type: "password", autocomplete: "new-password",
                  required: true }),
      textField({ id: "confirm-password", label: "Type the new password again", type: "password",
                  autocomplete: "new-password", required: true }),
    ],
    button: "Save password and sign in",
    async submit(values) {
      if (!values["new-password"]) return [{ fieldId: "new-password", message: "Enter a new password." }];
      if (values["new-password"] !== values["confirm-password"]) {
        return [{ fieldId: "confirm-password", message: "The two passwords are not the same." }];
      }
      await next(await answerChallenge(challenge, username, { NEW_PASSWORD: values["new-password"] }));
      return [];
    },
  });

  const authenticatorSetupStep = async (challenge) => {
    const setup = await startAuthenticatorSetup(challenge);
    return step({
      title: "Set up your authenticator app",
      intro: "Every sign-in needs a code from an authenticator app. In the app, add an account and enter "
        + "this key by hand, then enter the 6-digit code the app shows.",
      extra: h("p", { class: "secret" }, "Key: ", h("code", { id: "authenticator-key" }, setup.secret)),
      fields: [codeField()],
      button: "Verify and sign in",
      async submit({ code }) {
        const problem = checkCode(code);
        if (problem) return [problem];
        await next(await finishAuthenticatorSetup(challenge, username, setup.session, code));
        return [];
      },
    });
  };

  async function next(result) {
    if (result.tokens) {
      onSignedIn(result.tokens);
    } else if (result.challenge === "SOFTWARE_TOKEN_MFA") {
      mfaStep(result);
    } else if (result.challenge === "NEW_PASSWORD_REQUIRED") {
      newPasswordStep(result);
    } else if (result.challenge === "MFA_SETUP") {
      await authenticatorSetupStep(result);
    } else {
      throw new CognitoError(result.challenge, "This account needs a sign-in step the console does not support. "
        + "Ask a care-team administrator.");
    }
  }

  function step({ title, intro, fields, button, notice, extra, submit, focusHeading = true }) {
    view.title(title);
    const summarySlot = h("div");
    const submitButton = h("button", { type: "submit", class: "button" }, button);
    const form = h("form", { class: "form", novalidate: true }, fields, submitButton);
    const heading = h("h1", { tabindex: "-1" }, title);
    fill(view.main, h("div", { class: "narrow" }, notice, summarySlot, heading, h("p", {}, intro), extra, form));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const values = Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]));
      for (const input of form.querySelectorAll("input")) showFieldError(input, "");
      summarySlot.replaceChildren();
      submitButton.disabled = true;
      let problems;
      try {
        problems = await submit(values);
      } catch (error) {
        if (!(error instanceof CognitoError)) throw error;
        problems = [{ message: error.message, fieldId: form.querySelector("input")?.id }];
      } finally {
        submitButton.disabled = false;
      }
      if (problems.length && form.isConnected) {
        for (const { fieldId, message: text } of problems) {
          const input = fieldId && document.getElementById(fieldId);
          if (input) showFieldError(input, text);
        }
        const summary = errorSummary(problems);
        summarySlot.replaceChildren(summary);
        summary.focus();
      }
    });
    if (notice) notice.focus();
    else if (focusHeading) heading.focus();
    return form;
  }

  passwordStep();
}

function codeField() {
  return textField({ id: "code", label: "Code", inputmode: "numeric", autocomplete: "one-time-code",
                     pattern: "[0-9]*", maxlength: "6", class: "input input--short", required: true });
}

function checkCode(code) {
  return /^\d{6}$/.test(code) ? null : { fieldId: "code", message: "Enter the 6-digit code from your authenticator app." };
}
