"use strict";
// The live dashboard: loads a snapshot from the JSON API, then follows the SSE stream.

const LABELS = {
  vi: {
    title: "Chỉ số giải quyết hồ sơ", asOf: "Cập nhật", online: "Trực tuyến", offline: "Mất kết nối",
    scope: "Đơn vị", province: "Toàn tỉnh", period: "Kỳ", today: "Hôm nay", month: "Tháng này",
    quarter: "Quý này", year: "Năm nay", indicators: "Chỉ số", received: "Tiếp nhận",
    early: "Trước hạn", onTime: "Đúng hạn", late: "Quá hạn", inProgress: "Đang giải quyết",
    overdue: "Đang quá hạn", apologies: "Thư xin lỗi", onTimeRate: "Tỷ lệ đúng hạn",
    lateNoApology: "Trễ hạn không xin lỗi", withApology: "Có thư xin lỗi",
    reappointments: "Hẹn lại: giữ / lỡ hẹn", alerts: "Cảnh báo quá hạn: gửi / rút lại",
    progressScore: "Điểm tiến độ (QĐ 766)", total766: "Tổng điểm tính được",
    trend: "Diễn biến trong ngày", resolved: "Đã giải quyết",
    watchlist: "Hồ sơ quá hạn và sắp đến hạn", code: "Mã hồ sơ", procedure: "Thủ tục",
    unit: "Bộ phận", due: "Hẹn trả", state: "Tình trạng",
    noneDue: "Không có hồ sơ quá hạn hoặc sắp đến hạn.",
    ranking: "Xếp hạng cơ quan theo tỷ lệ đúng hạn", agency: "Cơ quan",
    footer: "Số liệu tính từ sự kiện hồ sơ; tỷ lệ trên hồ sơ đã giải quyết trong kỳ.",
    state_overdue: "Quá hạn", state_due_soon: "Sắp đến hạn", state_within_deadline: "Trong hạn",
    noData: "Chưa có số liệu trong ngày", switchTo: "English", docTitle: "Chỉ số phục vụ một cửa",
  },
  en: {
    title: "Dossier handling indicators", asOf: "Updated", online: "Live", offline: "Disconnected",
    scope: "Scope", province: "Whole province", period: "Period", today: "Today", month: "This month",
    quarter: "This quarter", year: "This year", indicators: "Indicators", received: "Received",
    early: "Early", onTime: "On time", late: "Late", inProgress: "In progress",
    overdue: "Overdue now", apologies: "Apologies", onTimeRate: "On-time rate",
    lateNoApology: "Late without apology", withApology: "With an apology",
    reappointments: "Re-appointments kept / broken", alerts: "Overdue alerts sent / withdrawn",
    progressScore: "Progress score (Decision 766)", total766: "Computable points",
    trend: "Today's trend", resolved: "Resolved",
    watchlist: "Overdue and due-soon dossiers", code: "Dossier code", procedure: "Procedure",
    unit: "Unit", due: "Due", state: "State",
    noneDue: "No overdue or due-soon dossier.",
    ranking: "Agencies ranked by on-time rate", agency: "Agency",
    footer: "Figures computed from dossier events; rates over dossiers resolved in the period.",
    state_overdue: "Overdue", state_due_soon: "Due soon", state_within_deadline: "Within deadline",
    noData: "No figures yet today", switchTo: "Tiếng Việt", docTitle: "One-stop service indicators",
  },
};
const ZONE = "Asia/Ho_Chi_Minh";
const state = {
  lang: localStorage.getItem("scoring.lang") || "vi",
  scope: new URLSearchParams(location.search).get("scope") || "province:all",
  period: new URLSearchParams(location.search).get("period") || "month",
  periodKey: null, todayKey: null, figures: null, figuresSeq: -1, trend: [], source: null,
  agencies: [],
};
const $ = (id) => document.getElementById(id);
const t = (key) => (LABELS[state.lang] || LABELS.vi)[key] || key;
const locale = () => (state.lang === "vi" ? "vi-VN" : "en-GB");

function fmtInt(value) { return value == null ? "–" : new Intl.NumberFormat(locale()).format(value); }
function fmtPct(value) {
  return value == null ? "–" : new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(value);
}
function fmtNum(value, digits = 1) {
  return value == null ? "–" : new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}
function fmtTime(iso) {
  if (!iso) return "–";
  const options = { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  return new Intl.DateTimeFormat(locale(), { ...options, timeZone: ZONE }).format(new Date(iso));
}

async function getJson(path, params) {
  const url = new URL(path, location.origin);
  for (const [key, value] of params || []) url.searchParams.append(key, value);
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t("docTitle");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  $("lang").textContent = state.lang === "vi" ? "EN" : "VI";
  $("lang").setAttribute("aria-label", t("switchTo"));
  setLive(state.source && state.source.readyState === EventSource.OPEN);
  renderFigures(); renderTrend(); renderWatch(state.watch); renderRanking(state.ranking);
}

function setText(id, text) {
  const node = $(id);
  if (node.textContent !== text) {
    node.textContent = text;
    node.classList.remove("flash"); void node.offsetWidth; node.classList.add("flash");
  }
}

function renderFigures() {
  const f = state.figures;
  if (!f) return;
  setText("received", fmtInt(f.received));
  setText("early", fmtInt(f.resolved_early));
  setText("on-time", fmtInt(f.resolved_on_time));
  setText("late", fmtInt(f.resolved_late));
  setText("in-progress", fmtInt(f.in_progress));
  setText("overdue", fmtInt(f.in_progress_overdue));
  setText("apologies", fmtInt(f.apologies));
  setText("late-no-apology", fmtInt(f.resolved_late_without_apology));
  setText("late-with-apology", fmtInt(f.resolved_late_with_apology));
  setText("reappointments", `${fmtInt(f.reappointments_kept)} / ${fmtInt(f.reappointments_broken)}`);
  setText("alerts", `${fmtInt(f.overdue_alerts)} / ${fmtInt(f.overdue_alerts_withdrawn)}`);
  setText("on-time-rate", fmtPct(f.on_time_rate));
  $("on-time-meter").style.width = `${Math.round(100 * (f.on_time_rate || 0))}%`;
  setText("progress-score", fmtNum(f.score_766_progress));
  $("score-766").textContent = `${fmtNum(f.score_766_points)} / ${fmtNum(f.score_766_scored_max, 0)}`;
}

const SERIES = ["received", "resolved", "in_progress"];
function renderTrend() {
  const svg = $("trend-chart");
  const W = Math.max(300, Math.round(svg.clientWidth || 640)), H = 200;
  const left = 34, right = 10, top = 10, bottom = 24;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const points = state.trend;
  const parts = [`<desc id="trend-desc">${t("trend")}</desc>`];
  const hour = (iso) => {
    const [h, m] = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: ZONE })
      .format(new Date(iso)).split(":").map(Number);
    return h + m / 60;
  };
  const hours = points.map((p) => hour(p.at));
  const x0 = Math.min(7, ...hours), x1 = Math.max(17.5, ...hours);
  const yMax = Math.max(4, ...points.flatMap((p) => SERIES.map((s) => p[s] || 0)));
  const x = (h) => left + ((h - x0) / (x1 - x0)) * (W - left - right);
  const y = (v) => H - bottom - (v / yMax) * (H - top - bottom);
  for (let h = Math.ceil(x0); h <= x1; h += 2) {
    parts.push(`<line class="axis" x1="${x(h)}" x2="${x(h)}" y1="${top}" y2="${H - bottom}"/>`);
    parts.push(`<text x="${x(h)}" y="${H - 6}" text-anchor="middle">${h}h</text>`);
  }
  for (const v of [0, Math.round(yMax / 2), yMax]) {
    parts.push(`<line class="axis" x1="${left}" x2="${W - right}" y1="${y(v)}" y2="${y(v)}"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`);
  }
  if (points.length === 0) {
    parts.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">${t("noData")}</text>`);
  }
  for (const series of SERIES) {
    const coords = points.map((p, i) => `${x(hours[i]).toFixed(1)},${y(p[series] || 0).toFixed(1)}`);
    if (coords.length) parts.push(`<polyline class="${series}" points="${coords.join(" ")}"/>`);
    const last = points.length - 1;
    if (last >= 0) {
      parts.push(`<circle class="${series}" r="4" cx="${x(hours[last]).toFixed(1)}" cy="${y(points[last][series] || 0).toFixed(1)}"/>`);
    }
  }
  svg.innerHTML = parts.join("");
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderWatch(data) {
  state.watch = data;
  const body = $("watchlist");
  body.replaceChildren();
  const items = (data ? data.items : []).filter((i) => i.state !== "within_deadline");
  for (const item of items) {
    const row = document.createElement("tr");
    row.dataset.code = item.code;
    const badge = document.createElement("span");
    badge.className = `badge ${item.state}`;
    badge.textContent = t(`state_${item.state}`);
    const stateCell = document.createElement("td");
    stateCell.append(badge);
    row.append(cell(item.code), cell(item.procedure || "–", "opt"), cell(item.unit || "–"),
      cell(fmtTime(item.due_at)), stateCell);
    body.append(row);
  }
  $("watch-empty").hidden = items.length > 0;
}

function renderRanking(data) {
  state.ranking = data;
  const body = $("ranking");
  body.replaceChildren();
  for (const item of data ? data.items : []) {
    const row = document.createElement("tr");
    row.dataset.scope = item.scope;
    if (item.scope === state.scope) row.className = "current";
    row.append(cell(item.rank == null ? "–" : String(item.rank)),
      cell(item.name ? `${item.name} (${item.code})` : item.code),
      cell(fmtPct(item.value), "n"), cell(fmtInt(item.figures.received), "n"),
      cell(fmtInt(item.figures.resolved), "n opt"), cell(fmtInt(item.figures.in_progress_overdue), "n"));
    body.append(row);
  }
}

async function loadScopes() {
  const data = await getJson("/v1/scopes", [["kind", "agency"]]);
  const select = $("scope");
  const known = new Set([...select.options].map((o) => o.value));
  for (const key of data.items) {
    if (known.has(key)) continue;
    const option = document.createElement("option");
    option.value = key; option.textContent = key.split(":")[1];
    select.append(option);
  }
  if (![...select.options].some((o) => o.value === state.scope)) {
    const option = document.createElement("option");
    option.value = option.textContent = state.scope;
    select.append(option);
  }
  select.value = state.scope;
}

async function loadFigures() {
  const data = await getJson("/v1/indicators", [["scope", state.scope], ["period", state.period]]);
  const item = data.items[0];
  if (item.period !== state.periodKey || data.last_event_id >= state.figuresSeq) {
    state.periodKey = item.period;
    state.figures = item.figures;
    state.figuresSeq = data.last_event_id;
  }
  $("as-of").textContent = fmtTime(data.now);
  $("as-of").dateTime = data.now;
  renderFigures();
  return data.last_event_id;
}

async function loadTrend() {
  const data = await getJson("/v1/trend", [["scope", state.scope]]);
  state.todayKey = data.period;
  state.trend = data.points;
  renderTrend();
}

let refreshTimer = null;
function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    refreshTimer = null;
    const place = state.scope.startsWith("field:") || state.scope.startsWith("channel:") ? "province:all" : state.scope;
    const [watch, ranking] = await Promise.all([
      getJson("/v1/open-dossiers", [["scope", place], ["limit", "50"]]),
      getJson("/v1/rankings", [["indicator", "on_time_rate"], ["kind", "agency"], ["period", state.period]]),
      loadScopes(),
    ]);
    renderWatch(watch); renderRanking(ranking);
  }, 700);
}

function setLive(on) {
  const node = $("live");
  node.classList.toggle("off", !on);
  node.textContent = on ? t("online") : t("offline");
}

function follow() {
  if (state.source) state.source.close();
  const url = new URL("/v1/indicators/stream", location.origin);
  url.searchParams.append("scope", state.scope);
  url.searchParams.append("kind", "agency");
  const source = new EventSource(url);
  state.source = source;
  source.onopen = () => setLive(true);
  source.onerror = () => setLive(false);
  source.addEventListener("ready", () => setLive(true));
  source.addEventListener("reset", () => { loadAll(); });
  source.addEventListener("indicators", (message) => {
    const change = JSON.parse(message.data);
    if (change.scope === state.scope && change.period === state.periodKey && change.seq > state.figuresSeq) {
      state.figures = change.figures;
      state.figuresSeq = change.seq;
      $("as-of").textContent = fmtTime(change.changed_at);
      renderFigures();
    }
    if (change.scope === state.scope && change.period === state.todayKey) {
      state.trend.push({ at: change.changed_at, ...change.figures });
      renderTrend();
    }
    scheduleRefresh();
  });
}

async function loadAll() {
  try {
    await Promise.all([loadFigures(), loadTrend(), loadScopes()]);
    scheduleRefresh();
  } catch (error) {
    setLive(false);
    setTimeout(loadAll, 3000);
  }
}

function keepInUrl() {
  const params = new URLSearchParams({ scope: state.scope, period: state.period });
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

document.addEventListener("DOMContentLoaded", () => {
  $("period").value = state.period;
  $("scope").addEventListener("change", (e) => {
    state.scope = e.target.value; state.figuresSeq = -1; keepInUrl(); follow(); loadAll();
  });
  $("period").addEventListener("change", (e) => {
    state.period = e.target.value; state.figuresSeq = -1; keepInUrl(); loadAll();
  });
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "vi" ? "en" : "vi";
    localStorage.setItem("scoring.lang", state.lang);
    applyLanguage();
  });
  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(renderTrend, 150);
  });
  applyLanguage();
  follow();
  loadAll();
});
