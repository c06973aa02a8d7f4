// The problems table: built from the embedded rows, filtered by rule, class and file, sorted by column.
(function () {
  "use strict";
  var rows = JSON.parse(document.getElementById("rows").textContent);
  var body = document.querySelector("#problems-table tbody");
  var rule = document.getElementById("filter-rule");
  var cls = document.getElementById("filter-class");
  var file = document.getElementById("filter-file");
  var shown = document.getElementById("shown");
  var sortKey = null, sortDir = 1;

  function options(select, column) {
    var seen = {};
    rows.forEach(function (r) { if (r[column]) seen[r[column]] = true; });
    Object.keys(seen).sort().forEach(function (v) {
      var o = document.createElement("option");
      o.value = v; o.textContent = v; select.appendChild(o);
    });
  }

  function cell(tr, text, css) {
    var td = document.createElement("td");
    if (css) td.className = css;
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function link(td, href, text) {
    var a = document.createElement("a");
    a.href = href; a.textContent = text;
    td.textContent = ""; td.appendChild(a);
  }

  function render() {
    var r0 = rule.value, c0 = cls.value, f0 = file.value.toLowerCase();
    var kept = rows.filter(function (r) {
      return (!r0 || r[0] === r0) && (!c0 || r[2] === c0) && (!f0 || r[3].toLowerCase().indexOf(f0) >= 0);
    });
    if (sortKey !== null) {
      kept.sort(function (a, b) {
        var x = a[sortKey], y = b[sortKey];
        return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
      });
    }
    var fragment = document.createDocumentFragment();
    kept.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.dataset.rule = r[0];
      cell(tr, r[0]);
      cell(tr, r[1], r[1]);
      cell(tr, r[2]);
      var where = r[3] ? r[3] + (r[4] ? ":" + r[4] : "") : "(dataset)";
      var td = cell(tr, where);
      if (r[6]) link(td, r[6], where);
      cell(tr, r[5]);
      var drawn = cell(tr, "");
      if (r[7]) link(drawn, "#" + r[7], "see");
      fragment.appendChild(tr);
    });
    body.textContent = "";
    body.appendChild(fragment);
    shown.textContent = kept.length + " of " + rows.length + " rows";
  }

  document.querySelectorAll("#problems-table th[data-key]").forEach(function (th) {
    th.addEventListener("click", function () {
      var key = Number(th.dataset.key);
      sortDir = sortKey === key ? -sortDir : 1;
      sortKey = key;
      document.querySelectorAll("#problems-table th").forEach(function (h) { h.className = ""; });
      th.className = sortDir > 0 ? "asc" : "desc";
      render();
    });
  });
  options(rule, 0);
  options(cls, 2);
  [rule, cls].forEach(function (s) { s.addEventListener("change", render); });
  file.addEventListener("input", render);
  render();
})();
