// The live seat map: draws the auditorium from the stream's snapshot, recolours seats as `seats`
// events arrive, and lets a signed-in user hold and pay. Plain browser JavaScript, no build step.
'use strict';
(function () {
  var API = '/api/v1';
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var SEAT = 22;
  var GAP = 4;
  var MAX_SEATS = 10;
  var showtimeId = Number((location.pathname.match(/^\/seatmap\/(\d+)\/?$/) || [])[1]);
  var seats = new Map();
  var picked = new Set();
  var reservation = null;
  var countdownTimer = null;
  var $ = function (id) { return document.getElementById(id); };

  function say(text, ok) {
    $('message').textContent = text || '';
    $('message').className = ok ? 'ok' : '';
  }

  function token() { return sessionStorage.getItem('access_token'); }

  async function call(method, path, body) {
    var headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token()) headers.authorization = 'Bearer ' + token();
    var res = await fetch(API + path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) });
    var data = res.status === 204 ? null : await res.json().catch(function () { return null; });
    if (res.status === 401 && token()) signOut('Your session ended: sign in again.');
    return { status: res.status, body: data };
  }

  // --- the map ---------------------------------------------------------------------------

  function draw(snapshot) {
    var svg = $('auditorium');
    svg.textContent = '';
    seats.clear();
    var rows = [];
    var byRow = new Map();
    snapshot.seats.forEach(function (s) {
      if (!byRow.has(s.row)) { byRow.set(s.row, []); rows.push(s.row); }
      byRow.get(s.row).push(s);
    });
    var widest = 0;
    rows.forEach(function (r) { widest = Math.max(widest, byRow.get(r).reduce(function (m, s) { return Math.max(m, s.number); }, 0)); });
    var left = 24;
    svg.setAttribute('viewBox', '0 0 ' + (left + widest * (SEAT + GAP) + 8) + ' ' + (rows.length * (SEAT + GAP) + 4));
    rows.forEach(function (r, i) {
      var y = i * (SEAT + GAP) + 2;
      var label = document.createElementNS(SVG_NS, 'text');
      label.setAttribute('x', 4);
      label.setAttribute('y', y + SEAT * 0.7);
      label.setAttribute('class', 'row-label');
      label.textContent = r;
      svg.appendChild(label);
      byRow.get(r).forEach(function (s) {
        var rect = document.createElementNS(SVG_NS, 'rect');
        rect.setAttribute('x', left + (s.number - 1) * (SEAT + GAP));
        rect.setAttribute('y', y);
        rect.setAttribute('width', SEAT);
        rect.setAttribute('height', SEAT);
        rect.setAttribute('rx', 5);
        rect.dataset.seatId = s.seat_id;
        rect.dataset.label = s.label;
        var title = document.createElementNS(SVG_NS, 'title');
        title.textContent = s.label + ' · ' + s.seat_type + ' · ' + s.price;
        rect.appendChild(title);
        rect.addEventListener('click', function () { toggle(s.seat_id); });
        svg.appendChild(rect);
        seats.set(s.seat_id, { seat: s, el: rect });
        paint(s.seat_id, s.status);
      });
    });
    picked.forEach(function (id) { if (!seats.has(id) || seats.get(id).seat.status !== 'available') picked.delete(id); });
    showCounts();
    showPicked();
  }

  function paint(seatId, status) {
    var entry = seats.get(seatId);
    if (!entry) return;
    entry.seat.status = status;
    if (status !== 'available') picked.delete(seatId);
    var shown = picked.has(seatId) ? 'selected' : status;
    entry.el.setAttribute('class', 'seat ' + shown);
    entry.el.dataset.status = status;
  }

  function showCounts() {
    var c = { available: 0, held: 0, booked: 0 };
    seats.forEach(function (e) { c[e.seat.status] += 1; });
    $('counts').textContent = c.available + ' available · ' + c.held + ' held · ' + c.booked + ' booked';
  }

  function toggle(seatId) {
    var entry = seats.get(seatId);
    if (!entry || reservation) return;
    if (picked.has(seatId)) picked.delete(seatId);
    else if (entry.seat.status === 'available' && picked.size < MAX_SEATS) picked.add(seatId);
    paint(seatId, entry.seat.status);
    showPicked();
  }

  function showPicked() {
    var labels = Array.from(picked).map(function (id) { return seats.get(id).seat.label; });
    $('picked').textContent = labels.length ? 'Picked: ' + labels.join(', ') : 'Pick up to ' + MAX_SEATS + ' available seats on the map.';
    $('hold').disabled = labels.length === 0 || !token() || !!reservation;
    $('best').disabled = !token() || !!reservation;
  }

  function live() {
    var es = new EventSource(API + '/showtimes/' + showtimeId + '/seats/events');
    es.addEventListener('open', function () { setLive('live', 'live'); });
    es.addEventListener('error', function () { if (es.readyState !== EventSource.CLOSED) setLive('connecting', 'reconnecting…'); else setLive('ended', 'not live'); });
    es.addEventListener('snapshot', function (e) { draw(JSON.parse(e.data)); });
    es.addEventListener('seats', function (e) {
      JSON.parse(e.data).changes.forEach(function (c) { paint(c.seat_id, c.status); });
      showCounts();
      showPicked();
    });
    es.addEventListener('end', function () {
      es.close();
      setLive('ended', 'the show has started');
    });
  }

  function setLive(state, text) {
    $('live').dataset.state = state;
    $('live').textContent = text;
  }

  // --- signing in ------------------------------------------------------------------------

  async function signIn(ev) {
    ev.preventDefault();
    var form = ev.target;
    var signup = ev.submitter && ev.submitter.value === 'signup';
    var body = { email: form.email.value, password: form.password.value };
    if (signup) body.name = form.name.value || form.email.value.split('@')[0];
    var res = await call('POST', signup ? '/auth/user/signup' : '/auth/login', body);
    if (res.status !== 200 && res.status !== 201) return say((res.body && res.body.detail) || 'Could not sign in');
    sessionStorage.setItem('access_token', res.body.access_token);
    sessionStorage.setItem('email', res.body.user.email);
    say('');
    showUser();
  }

  function signOut(text) {
    sessionStorage.removeItem('access_token');
    sessionStorage.removeItem('email');
    showUser();
    say(text || '');
  }

  function showUser() {
    var signedIn = !!token();
    $('signin').hidden = signedIn;
    $('booking').hidden = !signedIn;
    $('who').textContent = sessionStorage.getItem('email') || '';
    showPicked();
  }

  // --- holding and paying ----------------------------------------------------------------

  async function hold() {
    $('hold').disabled = true;
    var res = await call('POST', '/reservations', { showtime_id: showtimeId, seat_ids: Array.from(picked) });
    if (res.status !== 201) {
      say((res.body && res.body.detail) || 'Could not hold the seats');
      return showPicked();
    }
    picked.clear();
    showReservation(res.body);
    say('Seats held: ' + res.body.seats.map(function (s) { return s.label; }).join(', '), true);
  }

  // The server chooses inside the hold: the best block for the party, or 409 SOLD_OUT.
  async function holdBest() {
    $('best').disabled = true;
    var quantity = Number($('quantity').value);
    var res = await call('POST', '/reservations', { showtime_id: showtimeId, quantity: quantity });
    if (res.status !== 201) {
      say((res.body && res.body.detail) || 'Could not hold ' + quantity + ' seats');
      return showPicked();
    }
    picked.clear();
    showReservation(res.body);
    say('Seats held: ' + res.body.seats.map(function (s) { return s.label; }).join(', '), true);
  }

  function showReservation(r) {
    reservation = r && (r.status === 'held' || r.status === 'pending_payment') ? r : null;
    $('reservation').hidden = !reservation;
    clearInterval(countdownTimer);
    if (reservation) {
      $('expires').textContent = new Date(reservation.expires_at).toLocaleTimeString();
      $('total').textContent = reservation.total_price;
      tick();
      countdownTimer = setInterval(tick, 1000);
    }
    showPicked();
  }

  function tick() {
    var left = Math.max(0, Math.round((Date.parse(reservation.expires_at) - Date.now()) / 1000));
    $('countdown').textContent = Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0');
    if (left === 0) {
      showReservation(null);
      say('The hold expired; the seats are free again.');
    }
  }

  async function confirm() {
    var id = reservation.id;
    $('confirm').disabled = true;
    var res = await call('POST', '/reservations/' + id + '/confirm', { payment_method: $('card').value });
    $('confirm').disabled = false;
    if (res.status === 200) {
      showReservation(null);
      return say('Booked! Reservation ' + id + '.', true);
    }
    if (res.status === 202) {
      say('Payment pending: waiting for the provider…', true);
      for (var i = 0; i < 30; i++) {
        await new Promise(function (r) { setTimeout(r, 1000); });
        var now = await call('GET', '/reservations/' + id);
        if (now.body && now.body.status === 'confirmed') { showReservation(null); return say('Booked! Reservation ' + id + '.', true); }
        if (now.body && now.body.status !== 'pending_payment') { showReservation(now.body); return say(now.body.payment_error || 'The payment failed.'); }
      }
      return;
    }
    say((res.body && res.body.detail) || 'The payment failed');
  }

  async function cancel() {
    var res = await call('POST', '/reservations/' + reservation.id + '/cancel', {});
    if (res.status !== 200) return say((res.body && res.body.detail) || 'Could not cancel');
    showReservation(null);
    say('Hold cancelled.', true);
  }

  async function describeShowtime() {
    var st = await call('GET', '/showtimes/' + showtimeId);
    if (st.status !== 200) return say('No such showtime.');
    $('when').textContent = new Date(st.body.starts_at).toLocaleString();
    var movie = await call('GET', '/movies/' + st.body.movie_id);
    if (movie.status === 200) {
      $('title').textContent = movie.body.title;
      document.title = movie.body.title + ' · seat map';
    }
  }

  $('signin').addEventListener('submit', signIn);
  $('signout').addEventListener('click', function () { signOut(); });
  $('hold').addEventListener('click', hold);
  $('best').addEventListener('click', holdBest);
  $('confirm').addEventListener('click', confirm);
  $('cancel').addEventListener('click', cancel);
  if (!showtimeId) return say('No showtime in the address.');
  showUser();
  void describeShowtime();
  live();
})();
