/* Long forms keep what people type: one script for every form marked [data-keep] (see
   templates/macros/keepwork.html).

   - Autosave ([data-autosave]): a moment after the last change the form is sent in the
     background with its CSRF token; the answer's version goes back into the form, so the next
     save and the form's own buttons carry it, and the status line says "saved at HH:MM". A
     conflict (409/412) stops the saving and says so, overwriting nobody; a save that fails on
     the way (offline, a server error) is tried again, sooner when the browser is back online.
   - Leaving: with changes not saved yet, following a link or sending another form of the page
     first saves them in the background (and asks only if that fails); closing or reloading the
     page asks (beforeunload).
   - Background buttons ([data-background]): uploading or removing a file of the form sends that
     alone and puts the answer's list item in place, leaving what was typed untouched.

   The requests of a page go one at a time, so each carries the version the one before returned.
   Without script every form still works with its buttons. */
(function () {
  "use strict";
  var DELAY = 1500, RETRY_FIRST = 2000, RETRY_MAX = 60000;
  var keepers = [], byForm = new WeakMap();
  var queue = Promise.resolve(), inflight = 0;
  var leaving = false, passing = null;

  // Leaving on purpose (a form sent, a link followed after saving or asking): no second
  // question from beforeunload. Reset soon after, in case the answer was a download and the
  // page stays.
  function leave() {
    leaving = true;
    setTimeout(function () { leaving = false; }, 1000);
  }

  // --- requests, one at a time ----------------------------------------------------------------

  function serial(task) {
    inflight += 1;
    var run = queue.then(task);
    var done = function () { inflight -= 1; };
    queue = run.then(done, done);
    return run;
  }

  function csrfOf(form) {
    var token = form.elements.namedItem("csrf_token");
    return token && token.value ? token.value : "";
  }

  function send(form, url, body) {
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfOf(form), "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        // Sent to the sign-in page: the session ended.
        return { status: response.status, json: null, signedOut: response.redirected && /\/login/.test(response.url) };
      }
      return response.json().then(function (json) { return { status: response.status, json: json }; });
    }, function () {
      return { status: 0, json: null };
    });
  }

  // --- field errors by input name ---------------------------------------------------------------

  function describedBy(input, id, add) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (add) { ids.push(id); }
    if (ids.length) { input.setAttribute("aria-describedby", ids.join(" ")); } else { input.removeAttribute("aria-describedby"); }
  }

  function inputOf(form, name) {
    var input = form.elements.namedItem(name);
    if (input && !input.classList && input.length) { input = input[0]; }  // a group of radios
    return input && input.classList ? input : null;
  }

  function clearErrors(form, names) {
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.classList.contains("js-error") || (names && names.indexOf(input.name) === -1)) { return; }
      var id = (input.id || input.name) + "-jserror";
      var feedback = document.getElementById(id);
      if (feedback) { feedback.remove(); }
      input.classList.remove("is-invalid", "js-error");
      input.removeAttribute("aria-invalid");
      describedBy(input, id, false);
    });
  }

  function showErrors(form, errors, names) {
    clearErrors(form, names);
    Object.keys(errors || {}).forEach(function (name) {
      var input = inputOf(form, name);
      if (!input) { return; }
      var id = (input.id || name) + "-jserror";
      var feedback = document.getElementById(id) || document.createElement("div");
      feedback.className = "invalid-feedback d-block js-feedback";
      feedback.id = id;
      feedback.textContent = [].concat(errors[name]).join(" ");
      input.classList.add("is-invalid", "js-error");
      input.setAttribute("aria-invalid", "true");
      describedBy(input, id, true);
      if (!feedback.parentNode) { input.insertAdjacentElement("afterend", feedback); }
    });
  }

  // --- one long form --------------------------------------------------------------------------

  function Keeper(form) {
    this.form = form;
    this.status = document.querySelector('[data-save-status="' + form.id + '"]');
    this.statusClass = this.status ? this.status.className : "";
    // The page's texts, on the form's status line (or, for rows of one list, on the first one's).
    var source = this.status && this.status.hasAttribute("data-texts") ? this.status : document.querySelector("[data-save-status][data-texts]");
    this.texts = source ? JSON.parse(source.getAttribute("data-texts")) : {};
    this.url = form.getAttribute("data-autosave") || "";
    this.versionName = form.getAttribute("data-autosave-version") || "version";
    this.changes = 0;
    this.saved = 0;
    this.timer = null;
    this.retries = 0;
    this.stopped = false;
    this.submitting = false;
    if (this.url && this.status && !this.status.textContent.trim()) { this.say(this.texts.idle); }
  }

  Keeper.prototype.dirty = function () {
    return !this.submitting && this.changes !== this.saved;
  };

  Keeper.prototype.say = function (text, tone) {
    if (!this.status) { return; }
    this.status.className = tone ? this.statusClass.replace("text-body-secondary", "") + " " + tone : this.statusClass;
    this.status.textContent = text || "";
  };

  Keeper.prototype.changed = function () {
    this.changes += 1;
    if (!this.url || this.stopped) { return; }
    clearTimeout(this.timer);
    this.timer = setTimeout(this.save.bind(this), DELAY);
  };

  Keeper.prototype.body = function () {
    var body = new FormData();
    new FormData(this.form).forEach(function (value, name) {
      if (typeof value === "string") { body.append(name, value); }  // files go with their own button
    });
    body.set("_draft", "save");
    return body;
  };

  Keeper.prototype.setVersion = function (version) {
    var input = this.form.elements.namedItem(this.versionName);
    if (version !== undefined && version !== null && input && "value" in input) { input.value = version; }
  };

  // Resolves true once every change up to now is saved.
  Keeper.prototype.save = function () {
    var self = this;
    clearTimeout(self.timer);
    self.timer = null;
    if (!self.url || self.stopped) { return Promise.resolve(!self.dirty()); }
    return serial(function () {
      var mark = self.changes;
      if (self.stopped || mark === self.saved) { return !self.dirty(); }
      self.say(self.texts.saving);
      return send(self.form, self.url, self.body()).then(function (r) { return self.answer(r, mark); });
    });
  };

  Keeper.prototype.answer = function (r, mark) {
    var t = this.texts, json = r.json || {};
    if (r.status >= 200 && r.status < 300 && r.json) {
      this.saved = mark;
      this.retries = 0;
      this.setVersion(json.version);
      clearErrors(this.form);
      this.say(t.saved.replace("{time}", json.saved_at_text || ""), "text-success-emphasis");
      return !this.dirty();
    }
    if (r.status === 409 || r.status === 412) {
      // Someone else (or this person in another tab) saved meanwhile: stop, overwrite nobody.
      this.stopped = true;
      this.say((json.message ? json.message + " " : "") + t.kept, "text-danger-emphasis");
      return false;
    }
    if (r.status === 422) {
      showErrors(this.form, json.errors);
      var general = (json.errors && json.errors._schema) || [];
      this.say(general.length ? general.join(" ") : t.invalid, "text-danger-emphasis");
      return false;
    }
    if (r.signedOut || r.status === 401) {
      this.retry();
      this.say(t.signed_out, "text-danger-emphasis");
      return false;
    }
    if (r.status === 0 || r.status === 429 || r.status >= 500 || !r.json) {
      this.retry();
      this.say(t.offline, "text-warning-emphasis");
      return false;
    }
    this.stopped = true;  // refused (not allowed, gone): trying again would not help
    this.say((json.message ? json.message + " " : "") + t.kept, "text-danger-emphasis");
    return false;
  };

  Keeper.prototype.retry = function () {
    var self = this, delay = Math.min(RETRY_MAX, RETRY_FIRST * Math.pow(2, self.retries));
    self.retries += 1;
    clearTimeout(self.timer);
    self.timer = setTimeout(function () { self.save(); }, delay);
  };

  // An upload or a removal, sent alone: [data-background] names the inputs it carries,
  // [data-append] where the answer's list item goes, [data-drop] what it removes.
  Keeper.prototype.background = function (button) {
    var self = this, form = self.form;
    var names = (button.getAttribute("data-background") || "").split(/\s+/).filter(Boolean);
    button.disabled = true;
    serial(function () {
      var body = new FormData();
      body.append("csrf_token", csrfOf(form));
      var version = form.elements.namedItem(self.versionName);
      if (version && "value" in version) { body.append(self.versionName, version.value); }
      if (button.name) { body.append(button.name, button.value); }
      names.forEach(function (name) {
        var input = inputOf(form, name);
        if (!input) { return; }
        if (input.type === "file") {
          Array.prototype.forEach.call(input.files, function (file) { body.append(name, file); });
        } else {
          body.append(name, input.value);
        }
      });
      return send(form, button.formAction, body);
    }).then(function (r) {
      var json = r.json || {};
      button.disabled = false;
      if (r.status >= 200 && r.status < 300 && r.json) {
        self.setVersion(json.version);
        clearErrors(form, names);
        var list = button.getAttribute("data-append") && document.querySelector(button.getAttribute("data-append"));
        if (list && json.html) { list.insertAdjacentHTML("beforeend", json.html); }
        var gone = button.getAttribute("data-drop") && document.querySelector(button.getAttribute("data-drop"));
        if (gone) {
          var box = gone.closest(".evidence"), next = box && box.querySelector("input[type=file]");
          gone.remove();
          if (next) { next.focus(); }
        }
        names.forEach(function (name) {
          var input = inputOf(form, name);
          if (input && input.type === "file") { input.value = ""; }
        });
        self.say(json.message || "", "text-success-emphasis");
        return;
      }
      // The reason goes by the input that sent it; the status line keeps telling the draft's state.
      var shown = json.errors ? Object.keys(json.errors).filter(function (name) { return inputOf(form, name); }) : [];
      if (shown.length) {
        showErrors(form, json.errors, names);
        inputOf(form, shown[0]).focus();
      } else {
        self.say(json.message || self.texts.offline, "text-danger-emphasis");
      }
    });
  };

  // --- the page -------------------------------------------------------------------------------

  window.KPIKeep = { showErrors: showErrors, clearErrors: clearErrors };
  document.querySelectorAll("form[data-keep]").forEach(function (form) {
    var keeper = new Keeper(form);
    keepers.push(keeper);
    byForm.set(form, keeper);
  });
  if (!keepers.length) { return; }

  function unsaved(except) {
    return keepers.filter(function (k) { return k !== except && k.dirty(); });
  }

  // Save the given forms now; true once nothing of theirs is left unsaved.
  function settle(list) {
    return Promise.all(list.map(function (k) { return k.save(); })).then(function () {
      return queue;
    }).then(function () {
      return list.every(function (k) { return !k.dirty(); });
    });
  }

  function leaveText(list) {
    return (list[0] && list[0].texts.leave) || "";
  }

  // Elements of a form outside its element (form="…") bubble to the document, not the form.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input || !input.form || input.type === "file") { return; }
    var keeper = byForm.get(input.form);
    if (keeper) { keeper.changed(); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target, keeper = byForm.get(form), submitter = event.submitter || null;
    if (form === passing) {
      passing = null;
      leave();
      if (keeper) { keeper.submitting = true; }
      return;
    }
    if (keeper && submitter && submitter.hasAttribute("data-background")) {
      event.preventDefault();
      keeper.background(submitter);
      return;
    }
    if (keeper) { clearTimeout(keeper.timer); keeper.timer = null; }
    var others = unsaved(keeper);
    if (!others.length && !inflight) {
      leave();
      if (keeper) { keeper.submitting = true; }
      return;
    }
    // Let the saves under way finish first (the form then carries the version they returned),
    // and save what other forms of the page hold.
    event.preventDefault();
    settle(others).then(function (ok) {
      if (!ok && !window.confirm(leaveText(others))) { return; }
      passing = form;
      if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
      setTimeout(function () { passing = null; }, 0);
    });
  });

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || (link.target && link.target !== "_self") || link.hasAttribute("download")) { return; }
    var href = link.getAttribute("href");
    if (!href || href.charAt(0) === "#") { return; }
    if (link.href.split("#")[0] === window.location.href.split("#")[0] && link.hash) { return; }
    var pending = unsaved(null);
    if (!pending.length) { return; }
    event.preventDefault();
    settle(pending).then(function (ok) {
      if (ok || window.confirm(leaveText(pending))) {
        leave();
        window.location.assign(link.href);
      }
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (leaving || !unsaved(null).length) { return; }
    event.preventDefault();
    event.returnValue = "";
  });

  window.addEventListener("online", function () {
    keepers.forEach(function (k) { if (k.dirty() && !k.stopped) { k.save(); } });
  });

})();
