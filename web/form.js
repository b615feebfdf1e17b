/* The inquiry form, enhanced. Without JavaScript the form posts form-encoded and the API answers
 * 303 to the thank-you page; with it, we post JSON, show errors beside their fields, and show
 * the thank-you (and, when the answer is urgent, crisis resources) on this page.
 * Embedding: set data-api-base="https://…/prod" on the form (and its action) to post elsewhere.
 * Cloudflare Turnstile (optional): set data-turnstile-sitekey on the form and the widget is loaded;
 * left empty (the default), no third-party script is loaded at all. With it on, the API refuses a
 * post without a token, so the check needs JavaScript.
 * Nothing the person types is logged, stored in the browser or put in a URL.
 * Languages: the page says its own (<html lang>) and carries this script's catalog (#form-messages, built by
 * `make i18n` from the same gettext catalog as the server's pages); every text here is marked with _().
 * A page in another language without its catalog is not enhanced (it still posts, in its language). */
(function () {
  "use strict";

  var form = document.getElementById("inquiry-form");
  if (!form || !window.fetch || !window.JSON) { return; }

  var LANG = (document.documentElement.getAttribute("lang") || "en").toLowerCase();
  var CATALOG = readCatalog();

  function readCatalog() {
    var node = document.getElementById("form-messages");
    var catalog = null;
    try { catalog = node ? JSON.parse(node.textContent) : null; } catch (e) { catalog = null; }
    if (!catalog || (LANG !== "en" && !catalog.messages)) {
      // Loudly, and before the form is touched: it still posts as a plain form, answered in its language.
      throw new Error("form.js: this page carries no catalog for its language (" + LANG + ")");
    }
    return catalog;
  }

  // The message in the page's language; the English text is the key (as gettext's msgid).
  function _(text) {
    if (LANG === "en") { return text; }
    var translated = CATALOG.messages[text];
    if (!translated) {
      if (window.console) { window.console.error("form.js: no " + LANG + " translation for a message"); }
      return text;
    }
    return translated;
  }

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (whole, name) { return String(values[name]); });
  }

  var FIELDS = ["name", "email", "phone", "preferred_contact", "sms_consent", "topic", "message",
                "consent_to_contact", "referral_source", "language"];
  var CHECKBOXES = { sms_consent: true, consent_to_contact: true };
  // Shown if an urgent answer arrives without its list (it always carries one): the API's three, in the
  // page's language (the page's catalog carries them).
  var FALLBACK_CRISIS = CATALOG.crisis_resources || [];

  var statusBox = document.getElementById("form-status");
  var submitButton = document.getElementById("submit");
  var submitLabel = submitButton.textContent;
  var idempotencyKey = newKey();
  var sending = false;

  // Our own messages replace the browser's, so every problem is shown (and announced) the same way.
  form.noValidate = true;

  var TURNSTILE_FIELD = "cf-turnstile-response";
  var turnstileSiteKey = (form.getAttribute("data-turnstile-sitekey") || "").trim();
  if (turnstileSiteKey) { loadTurnstile(turnstileSiteKey); }

  function loadTurnstile(siteKey) {
    var widget = document.createElement("div");
    widget.className = "cf-turnstile field";
    widget.setAttribute("data-sitekey", siteKey);
    widget.setAttribute("data-response-field-name", TURNSTILE_FIELD);
    submitButton.parentNode.insertBefore(widget, submitButton);
    var script = document.createElement("script");
    script.src = "https://challenges.cloudflare.com/turnstile/v0/api.js";
    script.async = true;
    script.defer = true;
    document.head.appendChild(script);
  }

  function resetTurnstile() {
    // A token is good for one check: after any answer but success, the widget gets a fresh one.
    if (turnstileSiteKey && window.turnstile && typeof window.turnstile.reset === "function") {
      window.turnstile.reset();
    }
  }

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" +
      hex.slice(20);
  }

  function endpoint() {
    var base = form.getAttribute("data-api-base");
    if (base) { return base.replace(/\/+$/, "") + "/inquiries"; }
    return form.action;
  }

  function payload() {
    var data = {};
    FIELDS.forEach(function (name) {
      var input = form.elements[name];
      if (!input) { return; }
      if (CHECKBOXES[name]) {
        data[name] = input.checked;
      } else if (input.value.trim() !== "") {
        data[name] = input.value;
      }
    });
    var trap = form.elements.website;
    if (trap && trap.value !== "") { data.website = trap.value; }
    var token = form.elements[TURNSTILE_FIELD];
    if (token && token.value) { data[TURNSTILE_FIELD] = token.value; }
    return data;
  }

  // ---- messages beside fields and in the summary ----------------------------------------------------
  function clearErrors() {
    statusBox.textContent = "";
    statusBox.className = "status";
    FIELDS.forEach(function (name) {
      var input = form.elements[name];
      var error = document.getElementById(name + "-error");
      if (input) { input.removeAttribute("aria-invalid"); }
      if (error) { error.textContent = ""; error.hidden = true; }
    });
  }

  function showFieldErrors(errors) {
    var heading = document.createElement("p");
    var list = document.createElement("ul");
    var firstInput = null;
    errors.forEach(function (err) {
      var input = err.field ? form.elements[err.field] : null;
      var slot = err.field ? document.getElementById(err.field + "-error") : null;
      var item = document.createElement("li");
      if (input && slot) {
        slot.textContent = err.message;
        slot.hidden = false;
        input.setAttribute("aria-invalid", "true");
        var link = document.createElement("a");
        link.href = "#" + input.id;
        link.textContent = labelText(input) + ": " + err.message;
        link.addEventListener("click", function (event) { event.preventDefault(); input.focus(); });
        item.appendChild(link);
        firstInput = firstInput || input;
      } else {
        item.textContent = err.message;
      }
      list.appendChild(item);
    });
    heading.textContent = errors.length === 1 ? _("Please check one thing before sending:")
      : fill(_("Please check %(count)s things before sending:"), { count: errors.length });
    statusBox.textContent = "";
    statusBox.appendChild(heading);
    statusBox.appendChild(list);
    (firstInput || statusBox).focus();
  }

  function labelText(input) {
    var label = form.querySelector('label[for="' + input.id + '"]');
    var text = label ? label.textContent : input.name;
    var optional = _("(optional)");
    text = text.replace(/\*/g, "").replace(/\s+/g, " ").trim();
    if (text.slice(-optional.length) === optional) { text = text.slice(0, -optional.length); }
    return text.trim();
  }

  function showProblem(text, info) {
    statusBox.textContent = "";
    statusBox.className = info ? "status is-info" : "status";
    var p = document.createElement("p");
    p.textContent = text;
    statusBox.appendChild(p);
    statusBox.focus();
  }

  // ---- success ------------------------------------------------------------------------------------
  function digits(value) { return String(value).replace(/[^0-9+]/g, ""); }

  function contactLink(href, label) {
    var link = document.createElement("a");
    link.className = "contact";
    link.href = href;
    link.textContent = label;
    return link;
  }

  function showCrisis(resources) {
    var section = document.getElementById("crisis");
    var list = document.getElementById("crisis-list");
    list.textContent = "";
    (resources && resources.length ? resources : FALLBACK_CRISIS).forEach(function (r) {
      var item = document.createElement("li");
      var name = document.createElement("strong");
      name.textContent = r.name + ": ";
      item.appendChild(name);
      var call = r.call || (!r.text ? r.contact : null);
      if (call) { item.appendChild(contactLink("tel:" + digits(call), fill(_("Call %(number)s"), { number: call }))); }
      if (call && r.text) { item.appendChild(document.createTextNode(" " + _("or") + " ")); }
      if (r.text) {
        var word = r.text_word ? String(r.text_word) : "";
        item.appendChild(contactLink("sms:" + digits(r.text) + (word ? "?&body=" + encodeURIComponent(word) : ""),
          word ? fill(_("Text %(word)s to %(number)s"), { word: word, number: r.text })
            : fill(_("Text %(number)s"), { number: r.text })));
      }
      var how = document.createElement("p");
      how.textContent = r.how;
      item.appendChild(how);
      list.appendChild(item);
    });
    section.hidden = false;
    return section;
  }

  function showThanks(body) {
    var thanks = document.getElementById("thanks");
    if (body && typeof body.message === "string" && body.message) {
      document.getElementById("thanks-message").textContent = body.message;
    }
    if (body && body.reference) {
      document.getElementById("thanks-reference-value").textContent = body.reference;
      document.getElementById("thanks-reference").hidden = false;
    }
    form.hidden = true;
    thanks.hidden = false;
    var crisis = body && body.urgent ? showCrisis(body.crisis_resources) : null;
    // Crisis resources come first, at once; otherwise the thank-you gets focus.
    var first = crisis || thanks;
    first.focus();
    if (first.scrollIntoView) { first.scrollIntoView({ block: "start" }); }
  }

  // ---- sending ------------------------------------------------------------------------------------
  function setSending(on) {
    sending = on;
    submitButton.disabled = on;
    submitButton.setAttribute("aria-busy", on ? "true" : "false");
    submitButton.textContent = on ? _("Sending…") : submitLabel;
  }

  function readJson(response) {
    return response.text().then(function (text) {
      try { return text ? JSON.parse(text) : {}; } catch (e) { return {}; }
    });
  }

  function retryWait(response) {
    var seconds = parseInt(response.headers.get("Retry-After") || "", 10);
    if (!seconds || seconds < 60) { return _("a minute"); }
    var minutes = Math.ceil(seconds / 60);
    return minutes >= 90 ? _("a little while") : fill(_("%(minutes)s minutes"), { minutes: minutes });
  }

  function pause(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function send(retriedWithNewKey, attempt) {
    attempt = attempt || 1;
    return fetch(endpoint(), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "Idempotency-Key": idempotencyKey },
      body: JSON.stringify(payload()),
      credentials: "omit"
    }).then(function (response) {
      return readJson(response).then(function (body) {
        var errors = (body && body.errors) || [];
        if (response.status !== 202 && response.status !== 200) { resetTurnstile(); }
        if (response.status === 202 || response.status === 200) {
          showThanks(body);
        } else if (response.status === 409 && attempt < 5) {
          // The same inquiry (same key) is still being saved: ask again shortly for its answer.
          return pause(1000 * (parseInt(response.headers.get("Retry-After") || "1", 10) || 1))
            .then(function () { return send(retriedWithNewKey, attempt + 1); });
        } else if (response.status === 422 && !retriedWithNewKey && errors.some(function (e) {
          return e.field === "Idempotency-Key";
        })) {
          // An earlier, different submission from this page used the key: this is a new inquiry.
          idempotencyKey = newKey();
          return send(true, 1);
        } else if (response.status === 422 && errors.length) {
          showFieldErrors(errors);
        } else if (response.status === 429) {
          showProblem(fill(_("We've received several inquiries from you in a short time, thank you. Please try again in %(wait)s. If you need help right now, call or text 988."),
          { wait: retryWait(response) }), true);
        } else if (response.status === 413) {
          showProblem(_("That's a little more than we can take in one go. Please shorten your message and try again."));
        } else if (response.status === 403 && turnstileSiteKey) {
          showProblem(_("Please complete the check that you're a person, then send the form again."));
        } else {
          showProblem(_("Something went wrong on our side and your inquiry wasn't sent. Please try again in a moment."));
        }
        return undefined;
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }
    clearErrors();
    setSending(true);
    send(false).catch(function () {
      showProblem(_("We couldn't reach our team just now. Please check your connection and try again; everything you wrote is still here."));
    }).then(function () {
      setSending(false);
    });
  });

  // A gentle count for the message box.
  var message = form.elements.message;
  var count = document.getElementById("message-count");
  if (message && count) {
    var update = function () {
      var left = 2000 - message.value.length;
      count.textContent = left < 200 ? fill(_("%(count)s characters left."), { count: left }) : "";
    };
    message.addEventListener("input", update);
    update();
  }
})();
