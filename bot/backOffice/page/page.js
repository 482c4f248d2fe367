/* The NAS back office page: the queue by status and kind, a request's details and history,
   status changes, and the dashboard, all through the back office API (/nas/api/). The token and
   the worker's name are kept in sessionStorage (this tab only). Everything shown is set with
   textContent, never parsed as HTML. */
(function () {
  'use strict';

  var API = '/nas/api';
  var STATUSES = ['received', 'inProgress', 'waitingForRequester', 'done', 'rejected'];
  var STATUS_NAMES = { received: 'received', inProgress: 'in progress', waitingForRequester: 'waiting for the requester', done: 'done', rejected: 'rejected' };
  var KIND_NAMES = {
    registration: 'registration', passwordReset: 'password reset', leaver: 'leaver', joiner: 'joiner', newStarter: 'new starter',
    ownerChange: 'owner change', nameChange: 'name change', siteAudit: 'site audit', teamsTeam: 'Teams team', question: 'question',
  };
  var TOTALS = [
    ['conversationsStarted', 'Conversations started'],
    ['registrationsStarted', 'Registrations started'],
    ['registrationsFinished', 'Registrations finished'],
    ['passcodesRequested', 'Passcodes requested'],
    ['passcodesByEmail', '… by email'],
    ['passcodesByPost', '… by post'],
    ['lockOuts', 'Lock-outs'],
    ['resetsVerifiedByMobile', 'Password resets verified by mobile'],
    ['resetsVerifiedByOwner', 'Password resets verified by the shared mailbox owner'],
    ['questionsAnswered', 'Questions answered'],
    ['questionsNotUnderstood', 'Messages not understood'],
    ['handedToPerson', 'Handed to a person'],
    ['requestsCreated', 'Requests made'],
    ['requestsDone', 'Requests done'],
    ['requestsRejected', 'Requests rejected'],
  ];
  var COLOURS = ['#005eb8', '#007f3b', '#ed8b00', '#7c2855', '#330072', '#00a499', '#d5281b', '#425563', '#ffb81c', '#41b6e6'];

  var session = {
    get token() { return sessionStorage.getItem('nas.token') || ''; },
    get name() { return sessionStorage.getItem('nas.name') || ''; },
    get queue() { return sessionStorage.getItem('nas.queue') || ''; },
    save: function (token, name, queue) {
      sessionStorage.setItem('nas.token', token);
      sessionStorage.setItem('nas.name', name);
      sessionStorage.setItem('nas.queue', queue);
    },
    clear: function () {
      sessionStorage.removeItem('nas.token');
      sessionStorage.removeItem('nas.name');
      sessionStorage.removeItem('nas.queue');
    },
  };

  var $ = function (id) { return document.getElementById(id); };
  var charts = {};
  var listState = { cursor: undefined, filter: {} };
  var current = null; // the request on show

  // ----------------------------------------------------------------------------------------
  // Small DOM helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'className') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function notice(text) {
    $('notice').textContent = text || '';
  }

  /** A notice for the view the next navigation shows (a new view otherwise clears old notices). */
  var flashed = '';
  function flash(text) {
    flashed = text;
  }

  function showError(id, text) {
    var box = $(id);
    box.textContent = text || '';
    box.hidden = !text;
    // Focusable from script only, so a refusal can be read out where it is.
    if (text) box.setAttribute('tabindex', '-1');
  }

  function when(iso) {
    var d = new Date(iso);
    return d.toLocaleString('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  function minutesText(m) {
    if (m === undefined || m === null) return '–';
    m = Math.round(m);
    var days = Math.floor(m / 1440), hours = Math.floor((m % 1440) / 60), mins = m % 60;
    var p = function (n, u) { return n + ' ' + u + (n === 1 ? '' : 's'); };
    if (days > 0) return hours > 0 ? p(days, 'day') + ' ' + p(hours, 'hour') : p(days, 'day');
    if (hours > 0) return mins > 0 ? p(hours, 'hour') + ' ' + p(mins, 'minute') : p(hours, 'hour');
    return p(mins, 'minute');
  }

  function statusBadge(status) {
    return el('span', { className: 'app-status', text: STATUS_NAMES[status] || status });
  }

  // ----------------------------------------------------------------------------------------
  // The API

  function api(method, path, body, headers) {
    var options = { method: method, headers: Object.assign({ Authorization: 'Bearer ' + session.token, Accept: 'application/json' }, headers || {}) };
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    return fetch(API + path, options).then(function (response) {
      var type = response.headers.get('Content-Type') || '';
      var read = type.indexOf('json') >= 0 ? response.json() : response.text();
      return read.then(function (data) {
        if (response.status === 401) {
          signOut('Your token was not accepted (it may have been replaced). Please sign in again.');
          throw new Error('signed out');
        }
        return { status: response.status, data: data, etag: response.headers.get('ETag') };
      });
    }).catch(function (error) {
      if (error && error.message === 'signed out') throw error;
      if (error instanceof TypeError) notice('The back office cannot be reached. Check your connection and try again.');
      throw error;
    });
  }

  // ----------------------------------------------------------------------------------------
  // Views and navigation

  var VIEWS = ['signin', 'queue', 'request', 'dashboard'];
  var opened = false;

  function show(view, headingId) {
    VIEWS.forEach(function (v) { $('view-' + v).hidden = v !== view; });
    $('nav').hidden = view === 'signin';
    Array.prototype.forEach.call(document.querySelectorAll('[data-nav]'), function (a) {
      if (a.getAttribute('data-nav') === view) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
    var heading = $(headingId);
    document.title = heading.textContent + ' – NAS back office';
    // On opening the page the first Tab reaches the skip link; after that, each new view's heading
    // takes the focus so a screen reader says where the user is.
    if (opened) heading.focus();
    opened = true;
  }

  function route() {
    if (!session.token) return showSignIn();
    var hash = location.hash.replace(/^#/, '') || '/queue';
    var match = /^\/requests\/([A-Za-z0-9-]+)$/.exec(hash);
    if (match) return showRequest(decodeURIComponent(match[1]).toUpperCase());
    if (hash.indexOf('/dashboard') === 0) return showDashboard();
    return showQueue();
  }

  function signOut(message) {
    session.clear();
    notice(message || 'You have signed out.');
    if (location.hash !== '' && location.hash !== '#/signin') history.replaceState(null, '', location.pathname);
    showSignIn();
  }

  function showSignIn() {
    show('signin', 'signin-heading');
  }

  // ----------------------------------------------------------------------------------------
  // Sign in

  $('signin-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var token = $('signin-token').value.trim();
    var name = $('signin-name').value.trim();
    var problems = [];
    if (!token) problems.push('Enter your back-office token.');
    if (!name) problems.push('Enter your name.');
    if (problems.length) {
      showError('signin-error', problems.join(' '));
      $(token ? 'signin-name' : 'signin-token').focus();
      return;
    }
    fetch(API + '/counts', { headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (response.status !== 200) {
            showError('signin-error', response.status === 401 ? 'That token was not accepted. Check it and try again.' : data.error || 'Signing in did not work.');
            $('signin-token').focus();
            return;
          }
          showError('signin-error', '');
          session.save(token, name, data.queue);
          $('signin-token').value = '';
          var welcome = 'Signed in to the ' + data.queue + ' queue as ' + name + '.';
          if (!location.hash || location.hash === '#/signin' || location.hash === '#') {
            flash(welcome);
            location.hash = '#/queue';
          } else {
            notice(welcome);
            route();
          }
        });
      })
      .catch(function () { showError('signin-error', 'The back office cannot be reached. Check your connection and try again.'); });
  });

  $('sign-out').addEventListener('click', function () { signOut(); });

  // ----------------------------------------------------------------------------------------
  // The queue

  STATUSES.forEach(function (s) { $('filter-status').appendChild(el('option', { value: s, text: STATUS_NAMES[s] })); });
  Object.keys(KIND_NAMES).forEach(function (k) { $('filter-kind').appendChild(el('option', { value: k, text: KIND_NAMES[k] })); });

  function queueFilterFromHash() {
    var query = (location.hash.split('?')[1] || '');
    var params = new URLSearchParams(query);
    return { status: params.get('status') || '', kind: params.get('kind') || '', org: params.get('org') || '' };
  }

  function showQueue() {
    var filter = queueFilterFromHash();
    $('queue-heading').textContent = 'The ' + session.queue + ' queue';
    $('filter-status').value = filter.status;
    $('filter-kind').value = filter.kind;
    $('filter-org').value = filter.org;
    show('queue', 'queue-heading');
    loadCounts();
    listState = { cursor: undefined, filter: filter };
    clear($('list').tBodies[0]);
    loadList();
  }

  function loadCounts() {
    api('GET', '/counts').then(function (r) {
      if (r.status !== 200) return notice(r.data.error || 'The counts could not be read.');
      var table = $('counts');
      var kinds = [];
      STATUSES.forEach(function (s) { Object.keys(r.data.byStatus[s] || {}).forEach(function (k) { if (kinds.indexOf(k) < 0) kinds.push(k); }); });
      kinds.sort();
      var head = clear(table.tHead);
      var headRow = el('tr', {}, [el('th', { scope: 'col', text: 'Status' })]);
      kinds.forEach(function (k) { headRow.appendChild(el('th', { scope: 'col', className: 'app-number', text: KIND_NAMES[k] || k })); });
      headRow.appendChild(el('th', { scope: 'col', className: 'app-number', text: 'All kinds' }));
      head.appendChild(headRow);
      var body = clear(table.tBodies[0]);
      STATUSES.forEach(function (s) {
        var row = el('tr', {}, [el('th', { scope: 'row', text: STATUS_NAMES[s] })]);
        var all = 0;
        kinds.forEach(function (k) {
          var n = (r.data.byStatus[s] || {})[k] || 0;
          all += n;
          var cell = el('td', { className: 'app-number' });
          if (n > 0) cell.appendChild(el('a', { href: '#/queue?status=' + s + '&kind=' + k, 'aria-label': n + ' ' + (KIND_NAMES[k] || k) + ' ' + STATUS_NAMES[s], text: String(n) }));
          else cell.textContent = '0';
          row.appendChild(cell);
        });
        var total = el('td', { className: 'app-number' });
        if (all > 0) total.appendChild(el('a', { href: '#/queue?status=' + s, 'aria-label': all + ' ' + STATUS_NAMES[s] + ' in all', text: String(all) }));
        else total.textContent = '0';
        row.appendChild(total);
        body.appendChild(row);
      });
      if (r.data.truncated) body.appendChild(el('tr', {}, [el('td', { colspan: String(kinds.length + 2), text: 'Counted over the newest 5,000 requests.' })]));
    }).catch(function () {});
  }

  function loadList() {
    var f = listState.filter;
    var params = new URLSearchParams();
    if (f.status) params.set('status', f.status);
    if (f.kind) params.set('kind', f.kind);
    if (f.org) params.set('org', f.org);
    params.set('limit', '50');
    if (listState.cursor) params.set('cursor', listState.cursor);
    api('GET', '/requests?' + params.toString()).then(function (r) {
      if (r.status !== 200) {
        $('list-summary').textContent = r.data.error || 'The requests could not be read.';
        return;
      }
      var body = $('list').tBodies[0];
      r.data.requests.forEach(function (q) {
        body.appendChild(el('tr', {}, [
          el('td', {}, [el('a', { href: '#/requests/' + encodeURIComponent(q.reference), text: q.reference })]),
          el('td', { text: q.kindName }),
          el('td', {}, [statusBadge(q.status)]),
          el('td', { className: 'app-about', text: q.summary }),
          el('td', { text: when(q.createdAt) }),
          el('td', { text: q.assignee || '–' }),
        ]));
      });
      var shown = body.rows.length;
      var described = [f.status && STATUS_NAMES[f.status], f.kind && KIND_NAMES[f.kind], f.org && 'for ' + f.org.toUpperCase()].filter(Boolean).join(', ');
      $('list-summary').textContent = (shown === 0 ? 'No requests' : shown + ' request' + (shown === 1 ? '' : 's') + (r.data.nextCursor ? ' so far' : '')) + (described ? ' (' + described + ')' : '') + '.';
      listState.cursor = r.data.nextCursor;
      $('list-more').hidden = !r.data.nextCursor;
    }).catch(function () {});
  }

  $('filter-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var params = new URLSearchParams();
    ['status', 'kind', 'org'].forEach(function (name) {
      var value = $('filter-' + name).value.trim();
      if (value) params.set(name, value);
    });
    var target = '#/queue' + (params.toString() ? '?' + params.toString() : '');
    if (location.hash === target) showQueue();
    else location.hash = target;
  });

  $('list-more').addEventListener('click', loadList);

  $('take-next').addEventListener('click', function () {
    api('POST', '/queues/' + session.queue + '/take', { worker: session.name }).then(function (r) {
      if (r.status === 204) return notice('Nothing is waiting in the ' + session.queue + ' queue.');
      if (r.status !== 200) return notice(r.data.error || 'No request could be taken.');
      flash('You have taken ' + r.data.reference + '.');
      location.hash = '#/requests/' + encodeURIComponent(r.data.reference);
    }).catch(function () {});
  });

  function download(format) {
    var f = queueFilterFromHash();
    var params = new URLSearchParams({ format: format });
    ['status', 'kind', 'org'].forEach(function (k) { if (f[k]) params.set(k, f[k]); });
    api('GET', '/export?' + params.toString()).then(function (r) {
      if (r.status !== 200) return notice(r.data.error || 'The export did not work.');
      var text = format === 'json' ? JSON.stringify(r.data, null, 2) : r.data;
      var link = el('a', { href: URL.createObjectURL(new Blob([text], { type: format === 'json' ? 'application/json' : 'text/csv' })), download: 'nas-' + session.queue + '-requests.' + format });
      document.body.appendChild(link);
      link.click();
      link.remove();
      notice('Downloaded the ' + session.queue + ' requests as ' + format.toUpperCase() + '.');
    }).catch(function () {});
  }

  $('export-csv').addEventListener('click', function () { download('csv'); });
  $('export-json').addEventListener('click', function () { download('json'); });

  // ----------------------------------------------------------------------------------------
  // One request

  function summaryRow(list, term, value) {
    list.appendChild(el('dt', { text: term }));
    list.appendChild(el('dd', {}, [typeof value === 'string' ? document.createTextNode(value) : value]));
  }

  function yesNo(b) { return b ? 'yes' : 'no'; }

  function renderDetails(request) {
    var box = clear($('request-details'));
    var d = request.details || {};
    if (request.kind === 'registration' && d.organisation) {
      var dl = el('dl', { className: 'app-summary' });
      summaryRow(dl, 'Organisation', d.organisation.name + ' (' + (d.organisation.kind === 'dental' ? 'dental practice' : 'care provider') + ')');
      summaryRow(dl, 'ODS code', d.organisation.odsCode);
      summaryRow(dl, 'CQC location ID', d.organisation.cqcLocationId);
      summaryRow(dl, 'Town', d.town);
      summaryRow(dl, 'Shared mailbox', d.sharedMailboxAddress);
      summaryRow(dl, 'Verified by', d.verifiedBy === 'otp' ? 'one-time passcode' : 'CQC contact ID');
      box.appendChild(dl);
      var wrap = el('div', { className: 'app-table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'members-caption' });
      var table = el('table', { className: 'app-table' }, [
        el('caption', { id: 'members-caption', text: 'Members (the first is the shared mailbox owner)' }),
        el('thead', {}, [el('tr', {}, ['Name', 'Email', 'Mobile', 'Role', 'Owner', 'Shared mailbox', 'Mailbox admin'].map(function (h) { return el('th', { scope: 'col', text: h }); }))]),
      ]);
      var body = el('tbody');
      (d.members || []).forEach(function (m) {
        body.appendChild(el('tr', {}, [
          el('td', { text: [m.title, m.firstName, m.lastName].filter(Boolean).join(' ') }),
          el('td', { text: m.email }),
          el('td', { text: m.mobile }),
          el('td', { text: m.role }),
          el('td', { text: yesNo(m.owner) }),
          el('td', { text: yesNo(m.sharedMailboxAccess) }),
          el('td', { text: yesNo(m.mailboxAdmin) }),
        ]));
      });
      table.appendChild(body);
      wrap.appendChild(table);
      box.appendChild(wrap);
    } else if (request.facts) {
      var facts = el('dl', { className: 'app-summary' });
      request.facts.forEach(function (f) { summaryRow(facts, f.term, f.value); });
      box.appendChild(facts);
    } else {
      box.appendChild(el('pre', { className: 'app-form', text: JSON.stringify(d, null, 2) }));
    }
  }

  function renderRequest(request) {
    current = request;
    $('request-heading').textContent = request.reference + ': ' + request.kindName;
    var dl = clear($('request-summary'));
    summaryRow(dl, 'Status', statusBadge(request.status));
    if (request.openQuestion) summaryRow(dl, 'Waiting on the answer to', request.openQuestion);
    summaryRow(dl, 'About', request.summary);
    summaryRow(dl, 'Queue', request.queue);
    summaryRow(dl, 'Made', when(request.createdAt));
    summaryRow(dl, 'Last changed', when(request.updatedAt));
    summaryRow(dl, 'Taken by', request.assignee || 'nobody yet');
    summaryRow(dl, 'Raised in', request.requester.channel + (request.requester.email ? ' (' + request.requester.email + ')' : ''));
    if (request.duplicateOf) summaryRow(dl, 'Duplicate of', el('a', { href: '#/requests/' + request.duplicateOf, text: request.duplicateOf }));
    renderDetails(request);
    var body = clear($('history').tBodies[0]);
    request.history.forEach(function (h) {
      var why = [h.reason, h.question && 'Asked: ' + h.question, h.answer && 'Answer: ' + h.answer].filter(Boolean).join(' · ');
      body.appendChild(el('tr', {}, [el('td', { text: when(h.at) }), el('td', {}, [statusBadge(h.status)]), el('td', { text: h.by }), el('td', { text: why || '–' })]));
    });
    var select = clear($('change-status'));
    request.allowedStatuses.forEach(function (s) { select.appendChild(el('option', { value: s, text: STATUS_NAMES[s] })); });
    var final = request.allowedStatuses.length === 0;
    $('change-form').hidden = final;
    $('change-final').hidden = !final;
    ['question', 'answer', 'reason'].forEach(function (f) { $('change-' + f).value = ''; });
    showError('change-error', '');
    fieldsForStatus();
  }

  function fieldsForStatus() {
    var status = $('change-status').value;
    $('change-question-field').hidden = status !== 'waitingForRequester';
    $('change-answer-field').hidden = !(status === 'inProgress' && current && current.status === 'waitingForRequester');
    $('change-reason-label').textContent = status === 'rejected' ? 'Reason for rejecting (told to the requester)' : 'Reason or note (optional)';
  }

  $('change-status').addEventListener('change', fieldsForStatus);

  function showRequest(reference) {
    $('request-heading').textContent = reference;
    show('request', 'request-heading');
    clear($('request-summary'));
    clear($('request-details'));
    clear($('history').tBodies[0]);
    api('GET', '/requests/' + encodeURIComponent(reference)).then(function (r) {
      if (r.status !== 200) {
        $('request-heading').textContent = reference;
        notice(r.data.error || 'This request could not be read.');
        $('change-form').hidden = true;
        return;
      }
      renderRequest(r.data);
      $('request-heading').focus();
    }).catch(function () {});
  }

  $('change-form').addEventListener('submit', function (event) {
    event.preventDefault();
    if (!current) return;
    var status = $('change-status').value;
    var body = { status: status, by: session.name };
    ['reason', 'question', 'answer'].forEach(function (f) {
      var field = $('change-' + f);
      if (!field.closest('.app-field').hidden && field.value.trim()) body[f] = field.value.trim();
    });
    var missing = status === 'waitingForRequester' && !body.question ? ['change-question', 'Write the question to ask the requester.']
      : status === 'rejected' && !body.reason ? ['change-reason', 'Write why the request is rejected: the requester is told.']
        : null;
    if (missing) {
      showError('change-error', missing[1]);
      $(missing[0]).focus();
      return;
    }
    api('POST', '/requests/' + encodeURIComponent(current.reference) + '/status', body, { 'If-Match': '"' + current.version + '"' }).then(function (r) {
      if (r.status === 200) {
        renderRequest(r.data.request);
        var told = r.data.told || {};
        var how = told.how === 'chat' ? 'The requester has been told in their chat.' : told.how === 'email' ? 'Their chat could not be reached, so the requester has been emailed.' : 'The requester could not be told' + (told.detail ? ' (' + told.detail + ')' : '') + '.';
        var welcome = r.data.welcomeMessages ? ' ' + r.data.welcomeMessages + ' welcome messages were recorded for the members.' : '';
        notice(r.data.request.reference + ' is now ' + STATUS_NAMES[r.data.request.status] + '. ' + how + welcome);
        $('request-heading').focus();
        return;
      }
      if (r.status === 409) {
        var stale = 'Someone changed this request since you opened it, so nothing was changed. It has been reloaded: check it and try again.';
        api('GET', '/requests/' + encodeURIComponent(current.reference)).then(function (again) {
          if (again.status === 200) renderRequest(again.data);
          showError('change-error', stale);
          $('change-error').focus();
        }).catch(function () {});
        return;
      }
      var allowed = r.data.allowed && r.data.allowed.length ? ' It may become: ' + r.data.allowed.map(function (s) { return STATUS_NAMES[s]; }).join(', ') + '.' : '';
      showError('change-error', (r.data.error || 'The status could not be changed.') + allowed);
      $('change-error').focus();
    }).catch(function () {});
  });

  // ----------------------------------------------------------------------------------------
  // The dashboard

  function isoDay(d) {
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }

  function periodFromHash() {
    var params = new URLSearchParams(location.hash.split('?')[1] || '');
    var to = params.get('to') || isoDay(new Date());
    var fromDate = new Date(to + 'T12:00:00');
    fromDate.setDate(fromDate.getDate() - 29);
    return { from: params.get('from') || isoDay(fromDate), to: to };
  }

  function showDashboard() {
    var period = periodFromHash();
    $('period-from').value = period.from;
    $('period-to').value = period.to;
    show('dashboard', 'dashboard-heading');
    showError('period-error', '');
    api('GET', '/stats?from=' + encodeURIComponent(period.from) + '&to=' + encodeURIComponent(period.to)).then(function (r) {
      if (r.status !== 200) {
        showError('period-error', r.data.error || 'The figures could not be read.');
        return;
      }
      renderStats(r.data);
    }).catch(function () {});
  }

  $('period-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var from = $('period-from').value, to = $('period-to').value;
    if (!from || !to) {
      showError('period-error', 'Enter both dates.');
      $(from ? 'period-to' : 'period-from').focus();
      return;
    }
    var target = '#/dashboard?from=' + from + '&to=' + to;
    if (location.hash === target) showDashboard();
    else location.hash = target;
  });

  function numberCell(n) { return el('td', { className: 'app-number', text: String(n) }); }

  function chart(id, config, label) {
    var canvas = $(id);
    canvas.setAttribute('aria-label', label);
    if (charts[id]) charts[id].destroy();
    if (typeof Chart === 'undefined') return;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    charts[id] = new Chart(canvas, config);
  }

  function renderStats(stats) {
    $('period-summary').textContent = 'From ' + stats.from + ' to ' + stats.to + ' (London dates).';
    var totals = clear($('totals').tBodies[0]);
    TOTALS.forEach(function (t) { totals.appendChild(el('tr', {}, [el('th', { scope: 'row', text: t[1] }), numberCell(stats.totals[t[0]] || 0)])); });

    var funnel = clear($('funnel').tBodies[0]);
    stats.funnel.forEach(function (f) {
      funnel.appendChild(el('tr', {}, [el('th', { scope: 'row', text: f.title }), numberCell(f.reached), numberCell(f.percentOfStarted + '%'), numberCell(f.droppedHere)]));
    });
    chart('funnel-chart', {
      type: 'bar',
      data: { labels: stats.funnel.map(function (f) { return f.title; }), datasets: [{ label: 'Reached', data: stats.funnel.map(function (f) { return f.reached; }), backgroundColor: '#005eb8' }] },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    }, 'Bar chart of registration attempts reaching each part: ' + stats.funnel.map(function (f) { return f.title + ' ' + f.reached; }).join(', ') + '. The figures are in the table below.');

    var perday = $('perday');
    var head = clear(perday.tHead);
    var headRow = el('tr', {}, [el('th', { scope: 'col', text: 'Day' })]);
    stats.requestKinds.forEach(function (k) { headRow.appendChild(el('th', { scope: 'col', className: 'app-number', text: KIND_NAMES[k] || k })); });
    headRow.appendChild(el('th', { scope: 'col', className: 'app-number', text: 'All kinds' }));
    head.appendChild(headRow);
    var body = clear(perday.tBodies[0]);
    stats.requestsPerDay.forEach(function (d) {
      var row = el('tr', {}, [el('th', { scope: 'row', text: d.day })]);
      stats.requestKinds.forEach(function (k) { row.appendChild(numberCell(d.byKind[k] || 0)); });
      row.appendChild(numberCell(d.total));
      body.appendChild(row);
    });
    var made = stats.requestsPerDay.reduce(function (n, d) { return n + d.total; }, 0);
    chart('perday-chart', {
      type: 'bar',
      data: {
        labels: stats.requestsPerDay.map(function (d) { return d.day.slice(5); }),
        datasets: stats.requestKinds.map(function (k, i) {
          return { label: KIND_NAMES[k] || k, data: stats.requestsPerDay.map(function (d) { return d.byKind[k] || 0; }), backgroundColor: COLOURS[i % COLOURS.length] };
        }),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    }, 'Stacked bar chart of requests made each day by kind: ' + made + ' in the period. The figures are in the table below.');

    var done = clear($('done').tBodies[0]);
    stats.timeToDone.forEach(function (t) {
      done.appendChild(el('tr', {}, [el('th', { scope: 'row', text: t.kind === 'all' ? 'All kinds' : KIND_NAMES[t.kind] || t.kind }), numberCell(t.count), el('td', { className: 'app-number', text: minutesText(t.medianMinutes) })]));
    });
    var kinds = stats.timeToDone.filter(function (t) { return t.kind !== 'all'; });
    chart('done-chart', {
      type: 'bar',
      data: { labels: kinds.map(function (t) { return KIND_NAMES[t.kind] || t.kind; }), datasets: [{ label: 'Median hours to done', data: kinds.map(function (t) { return t.medianMinutes === undefined ? 0 : Math.round((t.medianMinutes / 60) * 10) / 10; }), backgroundColor: '#007f3b' }] },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, title: { display: true, text: 'hours' } } } },
    }, 'Bar chart of the median time to done by kind: ' + (kinds.map(function (t) { return (KIND_NAMES[t.kind] || t.kind) + ' ' + minutesText(t.medianMinutes); }).join(', ') || 'none done in the period') + '. The figures are in the table below.');

    var answers = clear($('answers').tBodies[0]);
    (stats.answers || []).forEach(function (a) {
      answers.appendChild(el('tr', {}, [el('th', { scope: 'row', text: a.title || a.entry }), numberCell(a.answered), numberCell(a.helpful), numberCell(a.notHelpful)]));
    });
    if (!stats.answers || stats.answers.length === 0) answers.appendChild(el('tr', {}, [el('td', { colspan: '4', text: 'No answers from the guides in the period.' })]));

    var channels = clear($('channels').tBodies[0]);
    stats.byChannel.forEach(function (c) {
      channels.appendChild(el('tr', {}, [el('th', { scope: 'row', text: c.channel }), numberCell(c.conversationsStarted), numberCell(c.registrationsStarted), numberCell(c.registrationsFinished)]));
    });
    if (stats.byChannel.length === 0) channels.appendChild(el('tr', {}, [el('td', { colspan: '4', text: 'No conversations in the period.' })]));
  }

  window.addEventListener('hashchange', function () {
    notice(flashed);
    flashed = '';
    route();
  });
  route();
})();
