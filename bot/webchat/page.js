/* The web chat page: Web Chat (served by this server) over this server's Direct Line, polling. */
(function () {
  'use strict';

  var STORAGE_KEY = 'nhsca.webchat.conversation';
  /** A saved conversation is resumed only while its token is surely still valid (tokens last 30 minutes). */
  var RESUME_WITHIN_MS = 25 * 60 * 1000;
  var DOMAIN = location.origin + '/v3/directline';
  var ConnectionStatus = { Online: 2, ExpiredToken: 3, FailedToConnect: 4, Ended: 5 };

  var status = document.getElementById('chat-status');
  var panel = document.getElementById('webchat');

  function showStatus(text, isError) {
    status.textContent = text;
    status.hidden = !text;
    status.classList.toggle('app-chat__status--error', Boolean(isError));
  }

  function load() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
      if (saved && saved.token && saved.conversationId && Date.now() - saved.savedAt < RESUME_WITHIN_MS) return saved;
    } catch (e) {
      /* Storage may be unavailable (private browsing): start afresh. */
    }
    return null;
  }

  function save(value) {
    try {
      if (value) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(value));
      else sessionStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      /* Not resumable after a reload; nothing else changes. */
    }
  }

  function newToken() {
    return fetch('/v3/directline/tokens/generate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
      credentials: 'same-origin',
      cache: 'no-store',
    }).then(function (response) {
      if (!response.ok) {
        var error = new Error('the assistant answered ' + response.status);
        error.status = response.status;
        throw error;
      }
      return response.json();
    });
  }

  /**
   * NHS colours with enough contrast (WCAG AA) for every part Web Chat draws: white bubbles on
   * NHS grey, so the cards' own colours (e.g. "Attention" red) are read against white.
   */
  var styleOptions = {
    accent: '#005eb8',
    backgroundColor: '#f0f4f5',
    primaryFont: 'Arial, "Helvetica Neue", Helvetica, sans-serif',
    subtle: '#4c6272',
    timestampColor: '#4c6272',
    bubbleBackground: '#ffffff',
    bubbleBorderColor: '#aeb7bd',
    bubbleBorderRadius: 4,
    bubbleBorderWidth: 1,
    bubbleTextColor: '#212b32',
    bubbleFromUserBackground: '#005eb8',
    bubbleFromUserBorderColor: '#005eb8',
    bubbleFromUserBorderRadius: 4,
    bubbleFromUserTextColor: '#ffffff',
    bubbleMaxWidth: 640,
    hideUploadButton: true,
    sendBoxButtonColor: '#005eb8',
    sendBoxButtonColorOnHover: '#003087',
    sendBoxButtonColorOnFocus: '#003087',
    sendBoxTextColor: '#212b32',
    sendBoxPlaceholderColor: '#4c6272',
    sendBoxBorderTop: 'solid 1px #aeb7bd',
    suggestedActionLayout: 'flow',
    suggestedActionBackgroundColor: '#ffffff',
    suggestedActionBorderColor: '#005eb8',
    suggestedActionBorderRadius: 4,
    suggestedActionBorderWidth: 2,
    suggestedActionTextColor: '#005eb8',
    suggestedActionBackgroundColorOnHover: '#003087',
    suggestedActionTextColorOnHover: '#ffffff',
    suggestedActionHeight: 44,
    notificationText: '#212b32',
    markdownRenderHTML: false,
    richCardWrapTitle: true,
    adaptiveCardsParserMaxVersion: '1.5',
  };

  /** The assistant writes one item per line: keep its line breaks (Markdown would join the lines). */
  function renderMarkdown(markdown, options, context) {
    return window.WebChat.renderMarkdown(String(markdown).replace(/\r?\n/g, '  \n'), options, context);
  }

  /**
   * Web Chat announces a new Adaptive Card by copying its inputs into the screen readers' live
   * region, naming text boxes by their placeholder only (not their label): each input without a
   * placeholder gets its label there, so none is announced as an unnamed text box. The card in
   * the transcript is unchanged.
   */
  function withPlaceholders(element) {
    if (Array.isArray(element)) return element.map(withPlaceholders);
    if (!element || typeof element !== 'object') return element;
    var copy = {};
    Object.keys(element).forEach(function (key) {
      copy[key] = withPlaceholders(element[key]);
    });
    if (/^Input\.(Text|Number|Date|Time)$/.test(String(copy.type)) && !copy.placeholder && copy.label) copy.placeholder = copy.label;
    return copy;
  }

  var attachmentForScreenReaderMiddleware = function () {
    return function (next) {
      return function (args) {
        var attachment = args && args.attachment;
        if (attachment && attachment.contentType === 'application/vnd.microsoft.card.adaptive' && attachment.content) {
          var patched = Object.assign({}, attachment, { content: withPlaceholders(attachment.content) });
          return next(Object.assign({}, args, { attachment: patched }));
        }
        return next.apply(null, arguments);
      };
    };
  };

  function render(conversation, resuming) {
    var options = { domain: DOMAIN, webSocket: false, token: conversation.token };
    if (resuming) options.conversationId = conversation.conversationId;
    var directLine = window.WebChat.createDirectLine(options);
    var saved = { conversationId: conversation.conversationId, token: conversation.token, savedAt: resuming ? conversation.savedAt : Date.now() };

    directLine.connectionStatus$.subscribe(function (value) {
      if (value === ConnectionStatus.Online) {
        showStatus('');
        save(saved);
      } else if (value === ConnectionStatus.FailedToConnect || value === ConnectionStatus.Ended || value === ConnectionStatus.ExpiredToken) {
        save(null);
        if (resuming && value !== ConnectionStatus.ExpiredToken) {
          // The conversation is gone (the assistant restarted, or it was idle too long): start a new one.
          directLine.end();
          panel.textContent = '';
          start(null);
          return;
        }
        showStatus('The connection to the assistant was lost. Reload the page to start a new conversation.', true);
      }
    });

    // Web Chat refreshes the token every 15 minutes: keep the newest for a reload.
    setInterval(function () {
      if (directLine.token && directLine.token !== saved.token) {
        saved = { conversationId: saved.conversationId, token: directLine.token, savedAt: Date.now() };
        save(saved);
      }
    }, 60 * 1000);

    window.WebChat.renderWebChat(
      {
        directLine: directLine,
        locale: 'en-GB',
        styleOptions: styleOptions,
        renderMarkdown: renderMarkdown,
        attachmentForScreenReaderMiddleware: attachmentForScreenReaderMiddleware,
      },
      panel,
    );
  }

  function start(saved) {
    if (!window.WebChat) {
      showStatus('The chat could not be loaded. Reload the page to try again.', true);
      return;
    }
    if (saved) {
      render(saved, true);
      return;
    }
    showStatus('Connecting to the assistant…');
    newToken().then(
      function (conversation) {
        render(conversation, false);
      },
      function (error) {
        showStatus(
          error && error.status === 429
            ? 'Too many new conversations have been started from your network just now. Please try again in a few minutes.'
            : 'The assistant cannot be reached just now. Reload the page to try again.',
          true,
        );
      },
    );
  }

  start(load());
})();
