/* The web chat page: Web Chat (served by this server) over this server's Direct Line, polling. */
(function () {
  'use strict';

  /**
   * The conversation is kept in localStorage (its id and the resume token the assistant gave), so
   * closing the page and coming back days later, with a passcode that came by post, carries on
   * where it was, for as long as the assistant keeps the conversation (STATE_TTL_DAYS).
   */
  var STORAGE_KEY = 'nhsca.webchat.conversation.v2';
  /** Where an older version of this page kept its conversation (for 25 minutes): tidied away. */
  var OLD_STORAGE_KEY = 'nhsca.webchat.conversation';
  var DOMAIN = location.origin + '/v3/directline';
  var ConnectionStatus = { Online: 2, ExpiredToken: 3, FailedToConnect: 4, Ended: 5 };
  /** After a recovery (a new token, the conversation picked up again), no other for this long. */
  var RECOVERY_PAUSE_MS = 30 * 1000;

  var status = document.getElementById('chat-status');
  var panel = document.getElementById('webchat');
  var newButton = document.getElementById('new-conversation');
  var confirmBox = document.getElementById('new-conversation-confirm');
  var confirmYes = document.getElementById('new-conversation-yes');
  var confirmNo = document.getElementById('new-conversation-no');
  /** The conversation on the page: { directLine, conversationId }. */
  var current = null;
  var lastRecovery = 0;
  var renewing = false;

  function showStatus(text, isError) {
    status.textContent = text;
    status.hidden = !text;
    status.classList.toggle('app-chat__status--error', Boolean(isError));
  }

  function load() {
    try {
      sessionStorage.removeItem(OLD_STORAGE_KEY);
      var saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null');
      if (saved && typeof saved.conversationId === 'string' && typeof saved.resumeToken === 'string') return saved;
    } catch (e) {
      /* Storage may be unavailable (private browsing) or hold something else: start afresh. */
    }
    return null;
  }

  function save(conversation) {
    try {
      localStorage.setItem(
        STORAGE_KEY,
        JSON.stringify({ conversationId: conversation.conversationId, resumeToken: conversation.resumeToken, savedAt: Date.now() }),
      );
    } catch (e) {
      /* Not resumable after the page closes; nothing else changes. */
    }
  }

  function forget() {
    try {
      localStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      /* Nothing was kept. */
    }
  }

  /** A call to this server's Direct Line; rejects with the HTTP status on `error.status`. */
  function call(method, path, token, body) {
    var headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch(DOMAIN + path, {
      method: method,
      headers: headers,
      body: method === 'POST' ? JSON.stringify(body || {}) : undefined,
      credentials: 'same-origin',
      cache: 'no-store',
    }).then(function (response) {
      if (!response.ok) {
        var error = new Error('the assistant answered ' + response.status);
        error.status = response.status;
        throw error;
      }
      return response.status === 204 ? null : response.json();
    });
  }

  function unreachable(error) {
    showStatus(
      error && error.status === 429
        ? 'Too many new conversations have been started from your network just now. Please try again in a few minutes.'
        : 'The assistant cannot be reached just now. Reload the page to try again.',
      true,
    );
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

  /** The conversation could not be picked up (it ended, or was kept too long ago): a new one. */
  function startAfresh(notice) {
    forget();
    begin(notice);
  }

  /**
   * Web Chat's connection went wrong: a Direct Line token that expired (the page was asleep) is
   * replaced in place; a conversation the assistant no longer holds is picked up again with the
   * resume token (at most once in a while, so a fault cannot make a loop); one that cannot be
   * picked up is replaced by a new one.
   */
  function recover(conversation, value) {
    if (value === ConnectionStatus.ExpiredToken) {
      if (!renewing) renew(conversation);
      return;
    }
    if (Date.now() - lastRecovery < RECOVERY_PAUSE_MS) {
      showStatus('The connection to the assistant was lost. Reload the page to carry on.', true);
      return;
    }
    lastRecovery = Date.now();
    var saved = load();
    if (!saved || saved.conversationId !== conversation.conversationId) {
      startAfresh();
      return;
    }
    call('POST', '/tokens/resume', saved.resumeToken).then(
      function (resumed) {
        save(resumed);
        render(resumed, true);
      },
      function (error) {
        if (error.status === 401 || error.status === 403) startAfresh('Your earlier conversation has ended, so this is a new one.');
        else unreachable(error);
      },
    );
  }

  /** The Direct Line token expired (the page slept, say): a new one, given to Web Chat in place. */
  function renew(conversation) {
    var saved = load();
    if (!saved || saved.conversationId !== conversation.conversationId) {
      startAfresh();
      return;
    }
    renewing = true;
    call('POST', '/tokens/resume', saved.resumeToken).then(
      function (resumed) {
        renewing = false;
        save(resumed);
        if (current === conversation) conversation.directLine.reconnect({ conversationId: resumed.conversationId, token: resumed.token });
      },
      function (error) {
        renewing = false;
        if (error.status === 401 || error.status === 403) startAfresh('Your earlier conversation has ended, so this is a new one.');
        else unreachable(error);
      },
    );
  }

  /** Web Chat on the page for this conversation; `notice` stays shown once it is connected. */
  function render(conversation, resuming, notice) {
    if (current) current.directLine.end();
    var options = { domain: DOMAIN, webSocket: false, token: conversation.token };
    if (resuming) options.conversationId = conversation.conversationId;
    var directLine = window.WebChat.createDirectLine(options);
    var shown = { directLine: directLine, conversationId: conversation.conversationId };
    current = shown;

    directLine.connectionStatus$.subscribe(function (value) {
      if (current !== shown) return;
      if (value === ConnectionStatus.Online) {
        showStatus(notice || '');
        newButton.hidden = false;
      } else if (value === ConnectionStatus.ExpiredToken || value === ConnectionStatus.Ended || value === ConnectionStatus.FailedToConnect) {
        recover(shown, value);
      }
    });

    // A fresh element each time: a new conversation gets a new transcript.
    var host = document.createElement('div');
    host.className = 'app-chat__webchat';
    panel.textContent = '';
    panel.appendChild(host);
    window.WebChat.renderWebChat(
      {
        directLine: directLine,
        locale: 'en-GB',
        styleOptions: styleOptions,
        renderMarkdown: renderMarkdown,
        attachmentForScreenReaderMiddleware: attachmentForScreenReaderMiddleware,
      },
      host,
    );
  }

  /** A new conversation. */
  function begin(notice) {
    showStatus(notice || 'Connecting to the assistant…');
    call('POST', '/tokens/generate').then(function (conversation) {
      save(conversation);
      render(conversation, false, notice);
    }, unreachable);
  }

  function start() {
    if (!window.WebChat) {
      showStatus('The chat could not be loaded. Reload the page to try again.', true);
      return;
    }
    var saved = load();
    if (!saved) {
      begin();
      return;
    }
    showStatus('Picking up your conversation…');
    // The page opened again: after a while away, the assistant says where the conversation stands.
    call('POST', '/tokens/resume', saved.resumeToken, { reopened: true }).then(
      function (conversation) {
        save(conversation);
        render(conversation, true);
      },
      function (error) {
        if (error.status === 401 || error.status === 403) startAfresh('Your earlier conversation has ended, so this is a new one.');
        // Kept: the assistant may be back in a moment.
        else showStatus('The assistant cannot be reached just now. Your conversation is kept: reload the page to carry on.', true);
      },
    );
  }

  // "Start a new conversation": asked once more on the page (what is lost is said), then the old
  // conversation is ended on the server so its tokens stop working, and forgotten here.
  function askToStartAgain(open) {
    confirmBox.hidden = !open;
    newButton.setAttribute('aria-expanded', String(open));
    (open ? confirmYes : newButton).focus();
  }

  newButton.addEventListener('click', function () {
    askToStartAgain(confirmBox.hidden);
  });
  confirmNo.addEventListener('click', function () {
    askToStartAgain(false);
  });
  confirmYes.addEventListener('click', function () {
    confirmBox.hidden = true;
    newButton.setAttribute('aria-expanded', 'false');
    newButton.hidden = true;
    var ending = current;
    current = null;
    var done = function () {
      startAfresh('This is a new conversation.');
    };
    if (!ending) return done();
    // Stop polling first: a poll of a conversation already ended on the server is refused (404).
    var token = ending.directLine.token;
    ending.directLine.end();
    call('DELETE', '/conversations/' + encodeURIComponent(ending.conversationId), token).then(done, done);
  });

  start();
})();
