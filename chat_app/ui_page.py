"""What /ui adds to Gradio's page: Chinese for Gradio's own labels, the [n] → quote behaviour, colours that
read at ≥ 4.5:1 in both themes, and tables that become cards on a phone.

Gradio 6 takes ``head`` at mount time (chat_app/api.py), so the script and the style travel together in
``UI_HEAD``. Text from the plan is escaped (``as_text``) before it enters any HTML built here.
"""
from __future__ import annotations

import json
from collections.abc import Sequence

from chat_app.ui_answer import as_text

# A few aria-labels are hard-coded English in Gradio's bundle; an observer renames them (screen readers
# read them). A message's own label is Gradio's "bot's message: " + the raw HTML; it becomes the text.
ARIA_ZH = {"More tabs": "更多标签页", "chatbot conversation": "对话记录", "Select example": "选择示例",
           "Like": "赞", "Dislike": "踩", "Copy message": "复制", "Clear": "清空", "Retry": "重试",
           "Undo": "撤销", "Edit": "编辑", "Submit": "发送", "Stop": "停止"}
MESSAGE_ZH = {"bot's message: ": "助手的回答：", "user's message: ": "您的问题："}
CITE_LINK_LABEL = "查看出处"  # spoken name of an [n] link ("查看出处 2")
FLASH_MS = 1600  # how long a quote opened from its [n] stays outlined

_LANG_JS = ("try{Object.defineProperty(navigator,'language',{get:function(){return 'zh-CN';}});"
            "Object.defineProperty(navigator,'languages',{get:function(){return ['zh-CN','zh'];}});}catch(e){}"
            "document.documentElement.lang='zh-CN';")
_ARIA_JS = ("var M=" + json.dumps(ARIA_ZH, ensure_ascii=False) + ",W=" + json.dumps(MESSAGE_ZH, ensure_ascii=False) + ";"
            "function cite(a){if(a.matches&&a.matches('a.pa-cite-ref'))"
            "a.setAttribute('aria-label','" + CITE_LINK_LABEL + " '+a.textContent.replace(/\\D/g,''));}"
            "function plain(v){return new DOMParser().parseFromString(v,'text/html').body.textContent;}"
            "function fix(el){['aria-label','title'].forEach(function(a){var v=el.getAttribute&&el.getAttribute(a);"
            "if(!v)return;for(var w in W){if(v.indexOf(w)===0){el.setAttribute(a,W[w]+plain(v.slice(w.length)));return;}}"
            "for(var k in M){if(v===k||v.indexOf(k+' ')===0||v.indexOf(k+':')===0){"
            "el.setAttribute(a,M[k]+v.slice(k.length));return;}}});}"
            "new MutationObserver(function(ms){ms.forEach(function(m){if(m.type==='attributes'){fix(m.target);}"
            "else{m.addedNodes.forEach(function(n){if(n.querySelectorAll){fix(n);cite(n);"
            "n.querySelectorAll('[aria-label],[title]').forEach(fix);n.querySelectorAll('a.pa-cite-ref').forEach(cite);}});}});}).observe(document.documentElement,"
            "{subtree:true,childList:true,attributes:true,attributeFilter:['aria-label','title']});")
# [n] opens its source card, scrolls the used sentence into view and outlines the quote for a moment
# (capture phase: Gradio's own click handling on the message must not see it as a link to follow).
_CITE_JS = ("document.addEventListener('click',function(e){var a=e.target.closest&&e.target.closest('a.pa-cite-ref');"
            "if(!a)return;e.preventDefault();e.stopPropagation();"
            "var q=document.getElementById((a.getAttribute('href')||'').slice(1));if(!q)return;"
            "var d=q.closest('details');if(d)d.open=true;q.classList.add('pa-flash');"
            "setTimeout(function(){q.classList.remove('pa-flash');}," + str(FLASH_MS) + ");"
            "(q.querySelector('mark')||q).scrollIntoView({block:'center'});"
            "q.setAttribute('tabindex','-1');q.focus({preventScroll:true});},true);")

# Colours chosen for ≥ 4.5:1 on Gradio's bubble and panel backgrounds, measured in Chromium by
# tests/chat_app/test_ui_browser.py. Gradio's orange (#f97316 / #ea580c) under white 发送 text read 2.8 / 3.6:1
# and the selected tab's orange label 2.8:1, so both use #c2410c (5.2:1); its subdued greys are darkened
# (light) / lightened (dark). Set on .gradio-container, nearer the elements than Gradio's :root/.dark values.
UI_CSS = """
.gradio-container { --body-text-color-subdued: #4b5563; --block-info-text-color: #4b5563;
  --input-placeholder-color: #6b7280; --color-accent: #c2410c; --button-primary-background-fill: #c2410c;
  --button-primary-background-fill-hover: #9a3412; --button-primary-text-color: #ffffff; }
.dark .gradio-container { --body-text-color-subdued: #c4c9d2; --block-info-text-color: #c4c9d2;
  --input-placeholder-color: #a1a8b3; --color-accent: #fb923c; --button-primary-background-fill: #c2410c;
  --button-primary-background-fill-hover: #9a3412; --button-primary-text-color: #ffffff; }
.pa-badge { display: inline-block; margin: 0 0 6px; padding: 1px 8px; border-radius: 10px; font-size: .9em; }
.pa-badge-related { background: #fff1cc; color: #6b4200; }
.pa-badge-refused { background: #e8edf3; color: #2f3b4c; }
.dark .pa-badge-related { background: #3d2f00; color: #ffe08a; }
.dark .pa-badge-refused { background: #2a3442; color: #e3e8ef; }
.pa-text { display: block; }
.pa-text a.pa-cite-ref { color: #0b57d0 !important; text-decoration: none; font-weight: 600; padding: 0 1px; border-radius: 3px; }
.dark .pa-text a.pa-cite-ref { color: #9cc0ff !important; }
.pa-text a.pa-cite-ref:hover { text-decoration: underline; }
a.pa-cite-ref:focus-visible, .pa-citation summary:focus-visible, .pa-quote:focus { outline: 2px solid #0b57d0;
  outline-offset: 1px; }
.dark a.pa-cite-ref:focus-visible, .dark .pa-citation summary:focus-visible, .dark .pa-quote:focus {
  outline-color: #9cc0ff; }
.pa-sources { margin-top: 8px; }
.pa-cite-label { margin: 0 0 2px; font-size: .9em; color: var(--body-text-color-subdued); }
.pa-citation { margin: 4px 0; border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 2px 8px; }
.pa-citation summary { cursor: pointer; font-size: .92em; }
.pa-quote { margin: 6px 0; padding: 2px 0 2px 8px; border-left: 3px solid var(--border-color-primary);
  scroll-margin: 40px; }
.pa-quote mark { background: #ffe98a; color: #111111; border-radius: 2px; padding: 0 1px; }
.dark .pa-quote mark { background: #6b5600; color: #ffffff; }
.pa-flash { outline: 2px solid #0b57d0; outline-offset: 2px; }
.dark .pa-flash { outline-color: #9cc0ff; }
.pa-table { width: 100%; border-collapse: collapse; font-family: inherit; font-variant-numeric: proportional-nums;
  font-size: .95em; }
.pa-table th, .pa-table td { border: 1px solid var(--border-color-primary); padding: 5px 8px; text-align: left;
  vertical-align: top; }
.pa-table thead th { background: var(--background-fill-secondary); }
.pa-table .pa-group th { background: var(--background-fill-secondary); font-weight: 600; }
.pa-k { display: none; }
@media (max-width: 600px) {
  .pa-table thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .pa-table, .pa-table tbody, .pa-table tr, .pa-table th, .pa-table td { display: block; width: auto; }
  .pa-table tr.pa-row { border: 1px solid var(--border-color-primary); border-radius: 8px; margin: 8px 0;
    padding: 6px 10px; }
  .pa-table tr.pa-row td { border: none; padding: 2px 0; }
  .pa-table td.pa-empty { display: none; }
  .pa-table .pa-group th { border: none; margin-top: 14px; padding: 4px 2px; background: none; }
  .pa-k { display: inline; color: var(--body-text-color-subdued); }
  .pa-k::after { content: "："; }
}
"""

UI_HEAD = f"<script>(function(){{{_LANG_JS}{_ARIA_JS}{_CITE_JS}}})();</script><style>{UI_CSS}</style>"


def table_html(columns: Sequence[str], body: Sequence[str | Sequence[str]]) -> str:
    """A table whose rows become labelled cards on a phone (each cell carries its column name, shown only
    there; empty cells drop out), so every column stays readable at 390 px. A plain string in `body` is a group heading row."""
    head = "".join(f'<th scope="col">{as_text(c)}</th>' for c in columns)
    rows = []
    for row in body:
        if isinstance(row, str):
            rows.append(f'<tr class="pa-group"><th colspan="{len(columns)}" scope="rowgroup">{as_text(row)}</th></tr>')
            continue
        cells = "".join(f'<td><span class="pa-k">{as_text(c)}</span>{as_text(v)}</td>' if v else '<td class="pa-empty"></td>'
                        for c, v in zip(columns, row))
        rows.append(f'<tr class="pa-row">{cells}</tr>')
    return f'<table class="pa-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
