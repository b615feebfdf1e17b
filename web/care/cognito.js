// Signing in with Cognito's user pool API (the same JSON calls the AWS SDK makes). Our own functions
// never see a password: it goes from this page straight to Cognito.

let settings = null;

/** Where Cognito is and which app client to sign in to (from config.json). */
export function configureCognito({ cognitoEndpoint, clientId }) {
  settings = { endpoint: cognitoEndpoint, clientId };
}

/** A Cognito error, with its type (e.g. NotAuthorizedException) and a message fit to show a person. */
export class CognitoError extends Error {
  constructor(type, message) {
    super(message);
    this.name = "CognitoError";
    this.type = type;
  }
}

async function call(action, body) {
  let response;
  try {
    response = await fetch(settings.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new CognitoError("NetworkError", "We couldn't reach the sign-in service. Check your connection and try again.");
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const type = String(answer.__type ?? answer.code ?? "").split("#").pop();
    throw new CognitoError(type, explain(type, answer.message ?? answer.Message));
  }
  return answer;
}

function explain(type, cognitoMessage) {
  switch (type) {
    case "NotAuthorizedException":
    case "UserNotFoundException":
      // One message for both, so the form does not reveal which accounts exist.
      return "The email address or password is not right.";
    case "CodeMismatchException":
    case "EnableSoftwareTokenMFAException":
      return "That code is not right. Enter the 6-digit code your authenticator app shows now.";
    case "ExpiredCodeException":
      return "That code has expired. Sign in again.";
    case "InvalidPasswordException":
      // Cognito's text names the password rule that was not met; it never contains the password.
      return cognitoMessage || "Choose a stronger password.";
    case "PasswordResetRequiredException":
      return "Your password must be reset. Ask a care-team administrator.";
    case "UserNotConfirmedException":
      return "Your account is not confirmed yet. Ask a care-team administrator.";
    case "TooManyRequestsException":
    case "TooManyFailedAttemptsException":
    case "LimitExceededException":
      return "Too many attempts. Wait a few minutes, then try again.";
    default:
      return "Sign-in did not work. Try again, or ask a care-team administrator.";
  }
}

/**
 * Start signing in. Resolves to {tokens} when done, or {challenge, session, parameters} when Cognito
 * asks for more (SOFTWARE_TOKEN_MFA, NEW_PASSWORD_REQUIRED, MFA_SETUP).
 */
export async function initiateSignIn(username, password) {
  const answer = await call("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: settings.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  return outcome(answer);
}

/** Answer a challenge with its responses (USERNAME is added). */
export async function answerChallenge(step, username, responses) {
  const answer = await call("RespondToAuthChallenge", {
    ClientId: settings.clientId,
    ChallengeName: step.challenge,
    Session: step.session,
    ChallengeResponses: { USERNAME: step.parameters?.USER_ID_FOR_SRP ?? username, ...responses },
  });
  return outcome(answer);
}

/** MFA_SETUP, first half: a secret for the person's authenticator app. Resolves to {secret, session}. */
export async function startAuthenticatorSetup(step) {
  const answer = await call("AssociateSoftwareToken", { Session: step.session });
  return { secret: answer.SecretCode, session: answer.Session ?? step.session };
}

/** MFA_SETUP, second half: check the app's first code, then finish signing in. */
export async function finishAuthenticatorSetup(step, username, session, code) {
  const verified = await call("VerifySoftwareToken", { Session: session, UserCode: code, FriendlyDeviceName: "Care console" });
  return answerChallenge({ ...step, session: verified.Session ?? session }, username, {});
}

/** New tokens from the refresh token (no password asked). */
export async function refreshSignIn(refreshToken) {
  const answer = await call("InitiateAuth", {
    AuthFlow: "REFRESH_TOKEN_AUTH",
    ClientId: settings.clientId,
    AuthParameters: { REFRESH_TOKEN: refreshToken },
  });
  return outcome(answer);
}

/**
 * End the session at Cognito: RevokeToken with the refresh token, which needs no live access token (so it
 * works after idle or sleep too) and leaves the refresh token unable to renew anything. Best effort.
 */
export async function revokeRefreshToken(refreshToken) {
  if (!refreshToken || !settings) return;
  try {
    await call("RevokeToken", { Token: refreshToken, ClientId: settings.clientId });
  } catch {
    // The local tokens are forgotten either way; the ID and access tokens expire within 15 minutes.
  }
}

function outcome(answer) {
  if (answer.AuthenticationResult) return { tokens: answer.AuthenticationResult };
  if (answer.ChallengeName) {
    return { challenge: answer.ChallengeName, session: answer.Session, parameters: answer.ChallengeParameters ?? {} };
  }
  throw new CognitoError("UnexpectedAnswer", "Sign-in did not work. Try again, or ask a care-team administrator.");
}
