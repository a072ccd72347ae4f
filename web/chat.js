// Starts the rasa-webchat widget in #chat, talking to the Rasa server named in
// config.json (written by scripts/serving/webpage.py), and fills in what the widget lacks
// for keyboard and screen reader users (WCAG 2.1 AA, see docs/widget.md) and for phone links.
"use strict";

(function () {
  const container = document.getElementById("chat");
  const ANNOUNCED_KEPT = 3;  // bot messages kept in the live region

  // Screen readers hear each new bot message from this live region (WCAG 4.1.3). The
  // widget's own message list is not one: it would also read the user's own messages
  // and the typing indicator, and React redraws it.
  const announcer = document.createElement("div");
  announcer.id = "chat-announcer";
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");
  container.after(announcer);
  const announced = new WeakSet();

  // A history redrawn after a reload is not read out again, only its last message.
  function announceNewBotMessages() {
    const fresh = Array.from(container.querySelectorAll(".rw-response"))
      .filter((bubble) => !announced.has(bubble) && bubble.textContent.trim());
    fresh.forEach((bubble) => announced.add(bubble));
    const spoken = announcer.childElementCount === 0 ? fresh.slice(-1) : fresh;
    spoken.forEach((bubble) => {
      const line = document.createElement("p");
      line.textContent = "Rådgiveren: " + bubble.textContent.trim();
      announcer.append(line);
    });
    while (announcer.childElementCount > ANNOUNCED_KEPT) announcer.firstElementChild.remove();
  }

  // rasa-webchat 1.0.1 draws quick replies as <div>s that react only to clicks,
  // leaves its input, send button and scrolling message list unlabelled (the list
  // cannot be scrolled with the keyboard when it holds no link), and opens every
  // link, even tel:, in a new tab. Its React code never sets these attributes again
  // once an element is drawn, so adjusting them after each render is safe.
  function improveWidget() {
    container.querySelectorAll("div.rw-reply:not([tabindex])").forEach((reply) => {
      reply.setAttribute("role", "button");
      reply.setAttribute("tabindex", "0");
    });
    const labels = { ".rw-new-message": "Din besked", ".rw-send": "Send", ".rw-messages-container": "Beskeder" };
    Object.entries(labels).forEach(([selector, label]) => {
      const element = container.querySelector(selector + ":not([aria-label])");
      if (element) element.setAttribute("aria-label", label);
    });
    const messages = container.querySelector(".rw-messages-container:not([tabindex])");
    if (messages) {
      messages.setAttribute("role", "region");
      messages.setAttribute("tabindex", "0");
    }
    container.querySelectorAll('.rw-markdown a[href^="tel:"][target]').forEach((link) => {
      link.removeAttribute("target");
    });
    announceNewBotMessages();
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
