/* ArchBot's chat page: gets a Direct Line token from the bot and renders Web Chat with it.
 *
 * POST api/directline/token answers {token, domain, mode}: mode "local" is the bot's own Direct
 * Line endpoint (no Azure account); mode "directline" is Azure's, when the bot has a Direct Line
 * secret. Query parameters: ?transport=polling (default: websocket), ?embed=1 (no header, for an
 * iframe in another site).
 */
(function () {
  "use strict";

  var params = new URLSearchParams(window.location.search);
  var transport = params.get("transport") === "polling" ? "polling" : "websocket";
  if (params.get("embed") === "1") {
    document.body.classList.add("archbot-embedded");
  }

  var styleOptions = {
    accent: "#1f6feb",
    backgroundColor: "#ffffff",
    // the page's font stack (web/css/archbot.css): system fonts, then emoji fonts, then the
    // page's own 👍 / 👎 (a device without an emoji font would show empty boxes)
    primaryFont: getComputedStyle(document.documentElement).getPropertyValue("--archbot-font"),
    botAvatarInitials: "AB",
    botAvatarBackgroundColor: "#0f2a4a",
    userAvatarInitials: "You",
    userAvatarBackgroundColor: "#5b6b7c",
    bubbleBackground: "#eef3fa",
    bubbleBorderRadius: 10,
    bubbleMaxWidth: 640, // a desktop's answer cards and their buttons use the room they have
    bubbleFromUserBackground: "#1f6feb",
    bubbleFromUserTextColor: "#ffffff",
    bubbleFromUserBorderRadius: 10,
    suggestedActionBackgroundColor: "#ffffff",
    suggestedActionBorderColor: "#1f6feb",
    suggestedActionTextColor: "#1858c4",
    suggestedActionBorderRadius: 16,
    suggestedActionLayout: "flow",
    sendBoxButtonColor: "#1f6feb",
    hideUploadButton: true,
  };

  /* Web Chat posts an Action.Submit with object data as a hidden "postBack". A button that stands
   * for words (`msteams.messageBack`, or ArchBot's own {archbot: "say", text}) is posted as a
   * messageBack with those words instead, as Teams does: the user sees the choice as their own
   * message and the bot reads the text first. 👍 / 👎 stay silent. */
  function clickedWords(value) {
    if (!value || typeof value !== "object") return "";
    var back = value.msteams;
    if (back && back.type === "messageBack" && typeof (back.displayText || back.text) === "string") {
      return back.displayText || back.text;
    }
    return value.archbot === "say" && typeof value.text === "string" ? value.text : "";
  }

  function showClickAsMessage() {
    return function () {
      return function (next) {
        return function (action) {
          var activity = action.type === "DIRECT_LINE/POST_ACTIVITY" && action.payload.activity;
          var words = activity && activity.type === "message" && !activity.text && clickedWords(activity.value);
          if (words) {
            var channelData = Object.assign({}, activity.channelData, { messageBack: { displayText: words } });
            delete channelData.postBack;
            var shown = Object.assign({}, activity, { channelData: channelData, text: words });
            action = Object.assign({}, action, { payload: Object.assign({}, action.payload, { activity: shown }) });
          }
          return next(action);
        };
      };
    };
  }

  function showProblem(title, html) {
    document.getElementById("webchat").hidden = true;
    document.getElementById("archbot-problem-title").textContent = title;
    document.getElementById("archbot-problem-text").innerHTML = html;
    document.getElementById("archbot-problem").hidden = false;
    document.body.dataset.archbot = "problem";
  }

  if (!window.WebChat) {
    showProblem(
      "The Web Chat bundle is missing",
      "<p>This ArchBot server has no <code>web/vendor/webchat.js</code>: it is downloaded at " +
        "set-up time, not kept in git.</p><p>Run <code>bash scripts/setup/20-webchat.sh</code> " +
        "(or <code>make run</code>, which does it), then reload this page. Meanwhile the bot " +
        "answers in the Bot Framework Emulator at <code>/api/messages</code> and in the " +
        "terminal (<code>archbot chat</code>).</p>"
    );
    return;
  }

  fetch("api/directline/token", { method: "POST", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("the token endpoint answered HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (grant) {
      var directLine = window.WebChat.createDirectLine({
        token: grant.token,
        domain: grant.domain,
        webSocket: transport === "websocket",
      });
      window.WebChat.renderWebChat(
        {
          directLine: directLine,
          store: window.WebChat.createStore({}, showClickAsMessage()),
          username: "You",
          locale: navigator.language || "en-US",
          styleOptions: styleOptions,
        },
        document.getElementById("webchat")
      );
      document.body.dataset.archbot = "ready";
      document.body.dataset.transport = transport;
      document.body.dataset.mode = grant.mode || "";
    })
    .catch(function (error) {
      var text = document.createElement("p");
      text.textContent = String(error && error.message ? error.message : error);
      showProblem(
        "ArchBot could not start a chat",
        "<p>The page could not get a chat token from the bot. Is ArchBot running?</p>" +
          text.outerHTML
      );
    });
})();
