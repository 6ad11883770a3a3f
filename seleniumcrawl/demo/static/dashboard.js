// Renders the logged-in user's profile from /api/me (a cookie-authenticated JSON call).
(function () {
  "use strict";
  var box = document.getElementById("profile");

  function span(cls, text) {
    var el = document.createElement("span");
    el.className = cls;
    el.textContent = text;
    return el;
  }

  fetch("/api/me", { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (user) {
      var profile = document.createElement("div");
      profile.className = "user-profile";
      profile.appendChild(span("user-name", user.name));
      profile.appendChild(document.createTextNode(" "));
      profile.appendChild(span("user-email", user.email));
      box.replaceChildren(profile);
      box.removeAttribute("aria-busy");
    })
    .catch(function () {
      var p = document.createElement("p");
      p.className = "login-required";
      p.textContent = "Please log in";
      box.replaceChildren(p);
      box.removeAttribute("aria-busy");
    });
})();
