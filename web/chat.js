// Starts the rasa-webchat widget in #chat, talking to the Rasa server named in
// config.json (written by scripts/serving/webpage.py), and fills in what the widget lacks
// for keyboard and screen reader users and for phone links.
"use strict";

(function () {
  const container = document.getElementById("chat");

  // rasa-webchat 1.0.1 draws quick replies as <div>s that react only to clicks,
  // leaves its input and send button unlabelled, and opens every link, even tel:,
  // in a new tab. Its React code never sets these attributes again once a message
  // is drawn, so adjusting them after each render is safe.
  function improveWidget() {
    container.querySelectorAll("div.rw-reply:not([tabindex])").forEach((reply) => {
      reply.setAttribute("role", "button");
      reply.setAttribute("tabindex", "0");
    });
    const labels = { ".rw-new-message": "Din besked", ".rw-send": "Send" };
    Object.entries(labels).forEach(([selector, label]) => {
      const element = container.querySelector(selector + ":not([aria-label])");
      if (element) element.setAttribute("aria-label", label);
    });
    const messages = container.querySelector(".rw-messages-container:not([aria-live])");
    if (messages) messages.setAttribute("aria-live", "polite");
    container.querySelectorAll('.rw-markdown a[href^="tel:"][target]').forEach((link) => {
      link.removeAttribute("target");
    });
  }

  container.addEventListener("keydown", (event) => {
    const reply = event.target.closest("div.rw-reply");
    if (reply && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      reply.click();
    }
  });
  new MutationObserver(improveWidget).observe(container, { childList: true, subtree: true });

  function showError() {
    const error = document.getElementById("chat-error");
    error.textContent = "Chatten kunne ikke starte. Prøv at genindlæse siden om lidt.";
    error.hidden = false;
  }

  fetch("config.json")
    .then((response) => {
      if (!response.ok) throw new Error("config.json: HTTP " + response.status);
      return response.json();
    })
    .then((config) => {
      window.WebChat.default({
        socketUrl: config.socketUrl,
        socketPath: config.socketPath,
        embedded: true,  // always open, without the widget's header: the page has the title
        initPayload: "/greet",
        inputTextFieldHint: "Skriv dit spørgsmål her …",
        connectingText: "Forbinder til rådgiveren …",
        hideWhenNotConnected: false,
        showCloseButton: false,
        params: { storage: "local" },
      }, container);
    })
    .catch((error) => {
      console.error(error);
      showError();
    });
})();
