// /admin: asks /api/admin/* with the key typed in (kept in memory only) and renders every value as text
// (textContent, never innerHTML): the questions are citizens' own words.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let key = "";

  function setStatus(text, isError) {
    $("status").textContent = text;
    $("status").className = isError ? "error" : "";
  }

  async function call(path) {
    const r = await fetch(path, { headers: { "X-API-Key": key }, cache: "no-store" });
    if (!r.ok) {
      let detail = "请求失败（" + r.status + "）。";
      try { detail = (await r.json()).detail || detail; } catch (e) { /* not JSON */ }
      throw new Error(detail);
    }
    return r;
  }

  function cell(row, text, cls) {
    const td = document.createElement("td");
    td.textContent = text === undefined || text === null ? "" : String(text);
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  function fill(table, rows, columns, emptyText) {
    const body = table.tBodies[0];
    body.replaceChildren();
    if (!rows.length) {
      const tr = body.insertRow();
      const td = cell(tr, emptyText || "暂无数据", "empty");
      td.colSpan = columns.length;
      return;
    }
    for (const r of rows) {
      const tr = body.insertRow();
      for (const c of columns) cell(tr, typeof c === "function" ? c(r) : r[c], c === "count" ? "num" : "");
    }
  }

  function percent(x) { return (x * 100).toFixed(1) + "%"; }

  function cards(s) {
    const items = [["提问总数", s.questions, ""]];
    for (const lv of s.support) items.push([lv.label, lv.count, "占 " + percent(lv.share)]);
    items.push(["好评", s.thumbs_up, ""], ["差评", s.thumbs_down, ""]);
    $("cards").replaceChildren(...items.map(([label, value, share]) => {
      const div = document.createElement("div");
      div.className = "card";
      const b = document.createElement("b");
      b.textContent = String(value);
      const small = document.createElement("small");
      small.textContent = share;
      div.append(b, document.createTextNode(label), document.createElement("br"), small);
      return div;
    }));
  }

  function perDay(days) {
    const max = Math.max(1, ...days.map((d) => d.questions));
    const body = $("per-day").tBodies[0];
    body.replaceChildren();
    for (const d of days.slice().reverse()) {
      const tr = body.insertRow();
      cell(tr, d.day);
      cell(tr, d.questions, "num");
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.style.width = (100 * d.questions / max) + "%";
      if (!d.questions) bar.style.minWidth = "0";
      cell(tr, "").appendChild(bar);
    }
  }

  function support(levels) {
    const box = $("support");
    box.replaceChildren();
    for (const lv of levels) {
      const h = document.createElement("h3");
      h.textContent = lv.label + "：" + lv.count + " 次，占 " + percent(lv.share);
      const table = document.createElement("table");
      table.dataset.level = lv.level;
      table.createTHead().innerHTML = "<tr><th>问题</th><th>次数</th><th>最近一次</th></tr>";
      table.createTBody();
      fill(table, lv.questions, ["question", "count", "last"]);
      box.append(h, table);
    }
  }

  async function load() {
    setStatus("正在加载…", false);
    try {
      const s = await (await call("/api/admin/stats?days=" + $("days").value)).json();
      cards(s);
      perDay(s.per_day);
      fill($("top"), s.top, ["question", "count", "last"]);
      support(s.support);
      fill($("negative"), s.negative, ["time", "question", "answer", "comment"], "暂无差评");
      $("report").hidden = false;
      setStatus("最近 " + s.days + " 天，共 " + s.questions + " 个提问。", false);
    } catch (e) {
      $("report").hidden = true;
      setStatus(e.message, true);
    }
  }

  async function download(kind) {
    try {
      const r = await call("/api/admin/export.csv?kind=" + kind + "&days=" + $("days").value);
      const url = URL.createObjectURL(await r.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = (kind === "turns" ? "提问记录" : "反馈") + "-最近" + $("days").value + "天.csv";
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      setStatus("已导出。", false);
    } catch (e) {
      setStatus(e.message, true);
    }
  }

  $("login").addEventListener("submit", (ev) => {
    ev.preventDefault();
    key = $("key").value.trim();
    load();
  });
  $("days").addEventListener("change", () => { if (key) load(); });
  $("export-turns").addEventListener("click", () => download("turns"));
  $("export-feedback").addEventListener("click", () => download("feedback"));
})();
