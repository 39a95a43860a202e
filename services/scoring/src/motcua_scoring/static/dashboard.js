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
    tokenPrompt: "Danh sách hồ sơ dành cho cán bộ: nhập mã truy cập (token)",
    kind_day: "Ngày", kind_week: "Tuần", kind_month: "Tháng", kind_quarter: "Quý", kind_year: "Năm",
    kind_range: "Khoảng ngày", periodDay: "Ngày trong kỳ", periodTo: "Đến ngày", comparedWith: "so với",
    previous: "Kỳ trước", groups766: "Điểm QĐ 766 theo nhóm chỉ số", notComputable: "Không tính được từ sự kiện hồ sơ",
    group_transparency: "Công khai, minh bạch", group_progress: "Tiến độ, kết quả giải quyết",
    group_online: "Cung cấp dịch vụ trực tuyến", group_payment: "Thanh toán trực tuyến",
    group_digitisation: "Số hóa hồ sơ", group_satisfaction: "Mức độ hài lòng",
    drill: "Báo cáo tình hình giải quyết hồ sơ", downloadXlsx: "Tải báo cáo Excel", downloadCsv: "Tải CSV",
    dossiers: "Hồ sơ đang giải quyết", attention: "Quá hạn và sắp đến hạn", allOpen: "Tất cả",
    alertsCol: "Cảnh báo", noDossier: "Không có hồ sơ.", total: "Tổng cộng", alert_overdue: "quá hạn",
    alert_due_soon: "sắp đến hạn", tiedNote: "= đồng hạng (cùng tỷ lệ và cùng số hồ sơ đã giải quyết)",
    groupAgencies: "Cơ quan", groupUnits: "Bộ phận", resolvedDossiers: "Hồ sơ đã giải quyết trong kỳ",
    allResolved: "Tất cả", cat_resolved_late_without_apology: "Trễ hạn, không xin lỗi",
    cat_resolved_late_with_apology: "Trễ hạn, có thư xin lỗi", cat_reappointments_broken: "Hẹn lại, lỡ hẹn",
    cat_reappointments_kept: "Hẹn lại, giữ hẹn", cat_resolved_early: "Trước hạn", cat_resolved_on_time: "Đúng hạn",
    resolvedAt: "Giải quyết xong", verdictCol: "Kết quả", apologyCol: "Thư xin lỗi", reappointmentCol: "Hẹn lại",
    verdict_early: "Trước hạn", verdict_on_time: "Đúng hạn", verdict_late: "Trễ hạn",
    apology_not_needed: "–", apology_in_time: "Gửi trước hạn", apology_late: "Gửi sau hạn", apology_missing: "Không có", apology_filed: "Có",
    kept: "giữ hẹn", broken: "lỡ hẹn", shown: "Hiển thị", of: "trên",
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
    tokenPrompt: "The dossier lists are for officials: enter your access token",
    kind_day: "Day", kind_week: "Week", kind_month: "Month", kind_quarter: "Quarter", kind_year: "Year",
    kind_range: "Date range", periodDay: "A day in the period", periodTo: "To", comparedWith: "compared with",
    previous: "Previous period", groups766: "Decision 766 points by group", notComputable: "Not computable from dossier events",
    group_transparency: "Transparency", group_progress: "Progress and results",
    group_online: "Online services", group_payment: "Online payment",
    group_digitisation: "Digitisation", group_satisfaction: "Satisfaction",
    drill: "Progress report", downloadXlsx: "Download Excel report", downloadCsv: "Download CSV",
    dossiers: "Dossiers in progress", attention: "Overdue and due soon", allOpen: "All",
    alertsCol: "Alerts", noDossier: "No dossier.", total: "Total", alert_overdue: "overdue",
    alert_due_soon: "due soon", tiedNote: "= tied (same rate and same number resolved)",
    groupAgencies: "Agencies", groupUnits: "Units", resolvedDossiers: "Dossiers resolved in the period",
    allResolved: "All", cat_resolved_late_without_apology: "Late, no apology",
    cat_resolved_late_with_apology: "Late, with an apology", cat_reappointments_broken: "Re-appointed, broken",
    cat_reappointments_kept: "Re-appointed, kept", cat_resolved_early: "Early", cat_resolved_on_time: "On time",
    resolvedAt: "Resolved", verdictCol: "Verdict", apologyCol: "Apology", reappointmentCol: "Re-appointment",
    verdict_early: "Early", verdict_on_time: "On time", verdict_late: "Late",
    apology_not_needed: "–", apology_in_time: "Filed in time", apology_late: "Filed late", apology_missing: "Missing", apology_filed: "Filed",
    kept: "kept", broken: "broken", shown: "Showing", of: "of",
  },
};
const ZONE = "Asia/Ho_Chi_Minh";
const state = {
  lang: localStorage.getItem("scoring.lang") || "vi",
  scope: new URLSearchParams(location.search).get("scope") || "province:all",
  period: new URLSearchParams(location.search).get("period") || "month",
  periodKey: null, todayKey: null, figures: null, figuresSeq: -1, trend: [], source: null,
  agencies: [], kind: null, day: null, to: null, item: null, previous: null, names: {},
  trail: null, report: null, dossiers: null, dossierState: "attention", resolved: null, resolvedCategory: "all",
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

// The dossier-level lists name dossier codes: officials only, with the bearer token
// asked once on a 401 and kept for the browser tab (sessionStorage).
const TOKEN_KEY = "motcua.scoring.officialToken";
let asking = null; // one question at a time, whatever number of lists were refused

function askToken(refused) {
  if (!asking) {
    asking = new Promise((resolve) => {
      if (sessionStorage.getItem(TOKEN_KEY) !== refused) return resolve(); // answered meanwhile
      const given = (window.prompt(t("tokenPrompt")) || "").trim();
      if (given) sessionStorage.setItem(TOKEN_KEY, given);
      resolve();
    }).finally(() => { asking = null; });
  }
  return asking;
}

async function getOfficialJson(path, params) {
  const url = new URL(path, location.origin);
  for (const [key, value] of params || []) url.searchParams.append(key, value);
  for (let asked = false; ; asked = true) {
    const headers = { Accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(url, { headers });
    if (response.status === 401 && !asked) { await askToken(token); continue; }
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  }
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t("docTitle");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  $("lang").textContent = state.lang === "vi" ? "EN" : "VI";
  $("lang").setAttribute("aria-label", t("switchTo"));
  setLive(state.source && state.source.readyState === EventSource.OPEN);
  renderFigures(); renderTrend(); renderWatch(state.watch); renderRanking(state.ranking);
  renderPeriod(); renderGroups(); renderReport(); renderDossiers(); renderResolved(); renderScopeNames();
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
  renderDeltas();
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
    row.append(cell(item.code), cell(procedureLabel(item), "opt"), cell(unitLabel(item)),
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
    if (item.name) state.names[item.scope] = item.name;
    row.append(cell(item.rank == null ? "–" : `${item.tied ? "=" : ""}${item.rank}`, item.tied ? "tied" : ""),
      cell(item.name ? `${item.name} (${item.code})` : item.code),
      cell(fmtPct(item.value), "n"), cell(fmtInt(item.figures.received), "n"),
      cell(fmtInt(item.figures.resolved), "n opt"), cell(fmtInt(item.figures.in_progress_overdue), "n"));
    row.classList.add("drillable");
    row.addEventListener("click", () => drillTo([{ scope: "province:all" }, { scope: item.scope }]));
    body.append(row);
  }
  $("ranking-note").hidden = !(data && data.items.some((i) => i.tied));
  renderScopeNames();
}

function labelOf(scope) {
  if (scope === "province:all") return t("province");
  const code = scope.split(":").slice(1).join(":");
  const name = state.names[scope];
  return name ? `${name} (${code})` : code;
}

function unitLabel(item) { return item.unit_code ? labelOf(`unit:${item.unit_code}`) : "–"; }
function procedureLabel(item) {
  return item.procedure_code ? labelOf(`procedure:${item.procedure_code}`) : "–";
}

function renderScopeNames() {
  for (const option of $("scope").options) {
    if (option.value !== "province:all") option.textContent = labelOf(option.value);
  }
  for (const group of $("scope").querySelectorAll("optgroup")) group.label = t(group.dataset.group);
}

// The scope picker: agencies, then units, by the names intake published (codes otherwise).
async function loadScopes() {
  const [agencies, units] = await Promise.all([
    getJson("/v1/scopes", [["kind", "agency"]]), getJson("/v1/scopes", [["kind", "unit"]]),
  ]);
  const select = $("scope");
  const known = new Set([...select.options].map((o) => o.value));
  for (const [data, group] of [[agencies, "groupAgencies"], [units, "groupUnits"]]) {
    Object.assign(state.names, data.names || {});
    let box = select.querySelector(`optgroup[data-group="${group}"]`);
    if (!box) {
      box = document.createElement("optgroup");
      box.dataset.group = group;
      select.append(box);
    }
    for (const key of data.items) {
      if (known.has(key)) continue;
      const option = document.createElement("option");
      option.value = key;
      box.append(option);
    }
  }
  if (![...select.options].some((o) => o.value === state.scope)) {
    const option = document.createElement("option");
    option.value = state.scope;
    select.append(option);
  }
  select.value = state.scope;
  renderScopeNames();
}

async function loadFigures() {
  const data = await getJson("/v1/indicators", [["scope", state.scope], ["period", state.period]]);
  const item = data.items[0];
  if (item.name) state.names[item.scope] = item.name;
  if (item.period !== state.periodKey || data.last_event_id >= state.figuresSeq) {
    state.periodKey = item.period;
    state.figures = item.figures;
    state.figuresSeq = data.last_event_id;
    state.item = item;
  }
  if (!state.day) state.day = item.first;
  if (!state.to) state.to = item.last;
  $("as-of").textContent = fmtTime(data.now);
  $("as-of").dateTime = data.now;
  const previousKey = previousPeriod(item);
  const previous = await getJson("/v1/indicators", [["scope", state.scope], ["period", previousKey]]);
  state.previous = previous.items[0];
  renderFigures(); renderPeriod(); renderGroups();
  return data.last_event_id;
}

// Periods: keys as the API names them, and the period before one of equal kind.
const DAY_MS = 86400000;
const utcDay = (iso) => new Date(`${iso}T00:00:00Z`);
const isoDay = (date) => date.toISOString().slice(0, 10);
const addDays = (iso, n) => isoDay(new Date(utcDay(iso).getTime() + n * DAY_MS));

function isoWeek(iso) {
  const date = utcDay(iso);
  const thursday = new Date(date.getTime() + (3 - ((date.getUTCDay() + 6) % 7)) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const firstThursday = new Date(jan4.getTime() + (3 - ((jan4.getUTCDay() + 6) % 7)) * DAY_MS);
  const week = 1 + Math.round((thursday - firstThursday) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, "0")}`;
}

function periodKey(kind, day, to) {
  const [y, m] = day.split("-").map(Number);
  switch (kind) {
    case "day": return day;
    case "week": return isoWeek(day);
    case "month": return day.slice(0, 7);
    case "quarter": return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
    case "year": return String(y);
    default: return to && to < day ? `${to}..${day}` : `${day}..${to || day}`;
  }
}

function previousPeriod(item) {
  const [y, m] = item.first.split("-").map(Number);
  switch (item.kind) {
    case "day": return addDays(item.first, -1);
    case "month": return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
    case "quarter": { const q = Math.floor((m - 1) / 3) + 1; return q === 1 ? `${y - 1}-Q4` : `${y}-Q${q - 1}`; }
    case "year": return String(y - 1);
    default: {
      const days = Math.round((utcDay(item.last) - utcDay(item.first)) / DAY_MS) + 1;
      return `${addDays(item.first, -days)}..${addDays(item.first, -1)}`;
    }
  }
}

function kindOf(key) {
  const relative = { today: "day", month: "month", quarter: "quarter", year: "year" };
  if (relative[key]) return relative[key];
  if (/^\d{4}-\d{2}-\d{2}$/.test(key)) return "day";
  if (/^\d{4}-W\d{2}$/.test(key)) return "week";
  if (/^\d{4}-\d{2}$/.test(key)) return "month";
  if (/^\d{4}-Q\d$/.test(key)) return "quarter";
  if (/^\d{4}$/.test(key)) return "year";
  return "range";
}

function periodName(item) {
  if (!item) return "–";
  const fmt = (iso) => iso.split("-").reverse().join("/");
  const [y, m] = item.first.split("-");
  switch (item.kind) {
    case "day": return fmt(item.first);
    case "month": return `${t("kind_month")} ${m}/${y}`;
    case "quarter": return `${t("kind_quarter")} ${Math.floor((Number(m) - 1) / 3) + 1}/${y}`;
    case "year": return `${t("kind_year")} ${y}`;
    default: return `${fmt(item.first)} – ${fmt(item.last)}`;
  }
}

function renderPeriod() {
  $("period-kind").value = state.kind;
  $("period-day").value = state.day || "";
  $("period-to").value = state.to || "";
  $("period-to-label").hidden = state.kind !== "range";
  $("period-title").textContent = periodName(state.item);
  $("previous-title").textContent = periodName(state.previous);
}

function choosePeriod() {
  state.kind = $("period-kind").value;
  state.day = $("period-day").value || state.day;
  state.to = $("period-to").value || state.to || state.day;
  if (!state.day) return;
  state.period = periodKey(state.kind, state.day, state.to);
  state.figuresSeq = -1; state.item = null; state.previous = null;
  keepInUrl(); loadAll();
}

const DELTAS = [
  ["received", "received", fmtInt], ["early", "resolved_early", fmtInt], ["on-time", "resolved_on_time", fmtInt],
  ["late", "resolved_late", fmtInt], ["overdue", "in_progress_overdue", fmtInt], ["on-time-rate", "on_time_rate", fmtPct],
];
function renderDeltas() {
  const now = state.figures, before = state.previous && state.previous.figures;
  for (const [id, figure, fmt] of DELTAS) {
    const node = $(`${id}-delta`);
    if (!now || !before) { node.textContent = ""; continue; }
    const a = now[figure], b = before[figure];
    const arrow = a == null || b == null || a === b ? "=" : a > b ? "▲" : "▼";
    node.textContent = `${arrow} ${t("previous")}: ${fmt(b)}`;
    node.dataset.trend = arrow === "▲" ? "up" : arrow === "▼" ? "down" : "same";
  }
}

function renderGroups() {
  const box = $("groups766");
  box.replaceChildren();
  const score = state.item && state.item.decision766;
  if (!score) return;
  for (const group of score.groups) {
    const article = document.createElement("article");
    article.className = "group";
    article.dataset.group = group.name;
    const head = document.createElement("h3");
    head.textContent = `${t(`group_${group.name}`)}: ${fmtNum(group.points)} / ${fmtNum(group.max_points, 0)}`;
    const table = document.createElement("table");
    for (const c of group.components) {
      const row = document.createElement("tr");
      row.dataset.component = c.code;
      row.append(cell(c.code), cell(c.name, "wrap"),
        cell(c.computable ? `${fmtNum(c.points, 2)} / ${fmtNum(c.max_points, 0)}` : t("notComputable"),
          c.computable ? "n" : "n muted"));
      table.append(row);
    }
    article.append(head, table);
    box.append(article);
  }
}

// Drill-down: province → agency → unit → procedure → its dossiers.
function drillTo(trail) {
  state.trail = trail;
  loadDrill();
}

function currentNode() { return state.trail[state.trail.length - 1].scope; }

async function loadDrill() {
  if (!state.trail) state.trail = state.scope === "province:all" ? [{ scope: "province:all" }]
    : [{ scope: "province:all" }, { scope: state.scope }];
  const node = currentNode();
  const kind = node.split(":")[0];
  const reportUrl = (format) => {
    const url = new URL("/v1/reports/progress", location.origin);
    url.searchParams.set("scope", node); url.searchParams.set("period", state.period);
    url.searchParams.set("format", format);
    return url.pathname + url.search;
  };
  $("report-xlsx").href = reportUrl("xlsx");
  $("report-csv").href = reportUrl("csv");
  const [report, dossiers, resolved] = await Promise.all([
    kind === "procedure" ? null : getJson("/v1/reports/progress", [["scope", node], ["period", state.period]]),
    getOfficialJson("/v1/open-dossiers", [["scope", node], ["limit", "500"]]),
    getOfficialJson("/v1/resolved-dossiers", [["scope", node], ["period", state.period], ["limit", "1000"]]),
  ]);
  state.report = report;
  state.dossiers = dossiers;
  state.resolved = resolved;
  if (report) for (const row of report.rows) if (row.name) state.names[row.scope] = row.name;
  for (const item of resolved.items) {
    if (item.agency_name) state.names[`agency:${item.agency_code}`] = item.agency_name;
    if (item.unit_name) state.names[`unit:${item.unit_code}`] = item.unit_name;
    if (item.procedure_name) state.names[`procedure:${item.procedure_code}`] = item.procedure_name;
  }
  renderReport(); renderDossiers(); renderResolved();
}

function renderTrail() {
  const nav = $("trail");
  nav.replaceChildren();
  (state.trail || []).forEach((step, i) => {
    if (i) nav.append(document.createTextNode(" › "));
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.scope = step.scope;
    button.textContent = labelOf(step.scope);
    button.disabled = i === state.trail.length - 1;
    button.addEventListener("click", () => drillTo(state.trail.slice(0, i + 1)));
    nav.append(button);
  });
}

function renderReport() {
  renderTrail();
  const head = $("report-head"), body = $("report-body"), foot = $("report-foot");
  head.replaceChildren(); body.replaceChildren(); foot.replaceChildren();
  const report = state.report;
  if (!report) return;
  const lang = state.lang === "en" ? "en" : "vi";
  const groups = document.createElement("tr");
  groups.append(document.createElement("th"));
  let last = null, span = null;
  for (const column of report.columns) {
    if (column.group[lang] !== last) {
      span = document.createElement("th"); span.colSpan = 1; span.className = "group";
      span.textContent = last = column.group[lang]; groups.append(span);
    } else span.colSpan += 1;
  }
  const names = document.createElement("tr");
  const first = document.createElement("th"); first.textContent = report.row_heading[lang]; names.append(first);
  for (const column of report.columns) {
    const th = document.createElement("th"); th.textContent = column[lang]; th.dataset.column = column.key; names.append(th);
  }
  head.append(groups, names);
  const deeper = { province: true, agency: true, unit: true };
  for (const row of report.rows) {
    const tr = document.createElement("tr");
    tr.dataset.scope = row.scope;
    const label = cell(labelOf(row.scope));
    if (deeper[currentNode().split(":")[0]] && ["agency", "unit", "procedure"].includes(row.scope.split(":")[0])) {
      tr.classList.add("drillable");
      tr.addEventListener("click", () => drillTo([...state.trail, { scope: row.scope }]));
    }
    tr.append(label, ...report.columns.map((c) => cell(fmtInt(row.values[c.key]), "n")));
    body.append(tr);
  }
  const total = document.createElement("tr");
  total.append(cell(t("total")), ...report.columns.map((c) => cell(fmtInt(report.total[c.key]), "n")));
  foot.append(total);
}

function renderDossiers() {
  const body = $("dossiers");
  body.replaceChildren();
  const data = state.dossiers;
  const inTrail = (item) => (state.trail || []).every((step) => {
    const [kind, code] = [step.scope.split(":")[0], step.scope.split(":").slice(1).join(":")];
    return kind === "province" || item[kind] === code;
  });
  const wanted = (item) => state.dossierState === "all" ? true
    : state.dossierState === "attention" ? item.state !== "within_deadline" : item.state === state.dossierState;
  const items = (data ? data.items : []).filter((i) => inTrail(i) && wanted(i));
  for (const item of items) {
    const row = document.createElement("tr");
    row.dataset.code = item.code;
    row.dataset.state = item.state;
    const badge = document.createElement("span");
    badge.className = `badge ${item.state}`;
    badge.textContent = t(`state_${item.state}`);
    const stateCell = document.createElement("td");
    stateCell.append(badge);
    row.append(cell(item.code), cell(procedureLabel(item)), cell(unitLabel(item)), cell(fmtTime(item.received_at)),
      cell(fmtTime(item.due_at)), stateCell, cell(item.alerts.map((a) => t(`alert_${a}`)).join(", ") || "–"));
    body.append(row);
  }
  $("dossiers-empty").hidden = items.length > 0;
}

// A late verdict from before tracking judged the apology counts by the apologies known.
function apologyText(item) {
  if (item.apology !== "not_needed") return t(`apology_${item.apology}`);
  if (item.categories.includes("resolved_late_without_apology")) return t("apology_missing");
  return item.categories.includes("resolved_late_with_apology") ? t("apology_filed") : "–";
}

// Dossiers resolved in the period, by the categories the figures count (one definition).
// A procedure reached through an agency or a unit lists only theirs, as the report row did.
function renderResolved() {
  const body = $("resolved");
  body.replaceChildren();
  const data = state.resolved;
  const node = state.trail ? currentNode() : state.scope;
  const within = node.startsWith("procedure:") ? state.trail.slice(1, -1) : [];
  const inTrail = (item) => within.every((step) => {
    const [kind, ...code] = step.scope.split(":");
    return kind === "province" || item[kind] === code.join(":");
  });
  const listed = (data ? data.items : []).filter(inTrail);
  const counts = { all: data ? data.total : null, ...(data ? data.counts : {}) };
  if (within.length) {
    counts.all = listed.length;
    for (const key of Object.keys(data.counts)) counts[key] = listed.filter((i) => i.categories.includes(key)).length;
  }
  for (const node of document.querySelectorAll("#resolved-filters .count")) node.textContent = fmtInt(counts[node.dataset.count]);
  const wanted = (item) => state.resolvedCategory === "all" || item.categories.includes(state.resolvedCategory);
  const items = listed.filter(wanted);
  for (const item of items) {
    const row = document.createElement("tr");
    row.dataset.code = item.code;
    row.dataset.categories = item.categories.join(" ");
    const badge = document.createElement("span");
    badge.className = `badge ${item.verdict}`;
    badge.textContent = t(`verdict_${item.verdict}`);
    const verdictCell = document.createElement("td");
    verdictCell.append(badge);
    const promise = item.reappointment_kept == null ? "–"
      : `${fmtTime(item.new_appointment_at)} (${t(item.reappointment_kept ? "kept" : "broken")})`;
    row.append(cell(item.code), cell(procedureLabel(item)), cell(unitLabel(item)),
      cell(fmtTime(item.due_at)), cell(fmtTime(item.resolved_at)), verdictCell,
      cell(apologyText(item)), cell(promise));
    body.append(row);
  }
  const more = $("resolved-more");
  more.hidden = !data || within.length > 0 || data.items.length >= data.total;
  if (!more.hidden) more.textContent = `${t("shown")} ${fmtInt(data.items.length)} ${t("of")} ${fmtInt(data.total)}`;
  $("resolved-empty").hidden = items.length > 0;
}

async function loadTrend() {
  const params = [["scope", state.scope]];
  if (state.kind === "day" && state.day && /^\d{4}-\d{2}-\d{2}$/.test(state.period)) params.push(["day", state.day]);
  const data = await getJson("/v1/trend", params);
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
      getOfficialJson("/v1/open-dossiers", [["scope", place], ["limit", "50"]]),
      getJson("/v1/rankings", [["indicator", "on_time_rate"], ["kind", "agency"], ["period", state.period]]),
      loadScopes(),
    ]);
    renderWatch(watch); renderRanking(ranking);
    await Promise.all([loadDrill(), loadFigures()]);
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
    await Promise.all([loadFigures(), loadTrend(), loadScopes(), loadDrill()]);
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
  state.kind = kindOf(state.period);
  if (state.period.includes("..")) [state.day, state.to] = state.period.split("..");
  else if (state.kind === "day" && state.period !== "today") state.day = state.period;
  $("scope").addEventListener("change", (e) => {
    state.scope = e.target.value; state.figuresSeq = -1; state.trail = null; keepInUrl(); follow(); loadAll();
  });
  for (const id of ["period-kind", "period-day", "period-to"]) $(id).addEventListener("change", choosePeriod);
  for (const input of document.querySelectorAll('input[name="dossier-state"]')) {
    input.addEventListener("change", (e) => { state.dossierState = e.target.value; renderDossiers(); });
  }
  for (const input of document.querySelectorAll('input[name="resolved-category"]')) {
    input.addEventListener("change", (e) => { state.resolvedCategory = e.target.value; renderResolved(); });
  }
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
