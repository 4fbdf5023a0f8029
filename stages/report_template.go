package stages

import "html/template"

// reportTemplate is the report page. It loads nothing from outside the file;
// its one script marks <body data-images="ok"> once every image has loaded
// with a non-zero width ("missing N" otherwise), which the report's browser
// test reads back from the DOM.
var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:2em auto;max-width:1300px;color:#222;line-height:1.4;padding:0 1em}
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.3em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.82em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f2f2f2;position:sticky;top:0}tr:nth-child(even) td{background:#fafafa}
figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.9em;color:#555}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em;font-size:.9em}dt{font-weight:bold}
.scroll{overflow-x:auto}code{font-size:.95em}
</style></head>
<body data-images="pending">
<h1>{{.Title}}</h1>
<p>Profile <b>{{.Profile}}</b>, commit <code>{{.Commit}}</code>.</p>
<nav>{{range $i, $t := .Tables}}<a href="#t{{$i}}">{{$t.Name}}</a> · {{end}}{{range $i, $f := .Figures}}<a href="#f{{$i}}">{{$f.Name}}</a> · {{end}}<a href="#prov">Provenance</a></nav>
{{range $i, $t := .Tables}}
<h2 id="t{{$i}}">{{$t.Name}}</h2>
{{if $t.Fold}}<details><summary>{{len $t.Rows}} rows</summary>{{end}}
<div class="scroll"><table><thead><tr>{{range $t.Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range $t.Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table></div>
{{if $t.Fold}}</details>{{end}}
{{end}}
<h2>Figures</h2>
{{range $i, $f := .Figures}}
<figure id="f{{$i}}"><img src="{{$f.Src}}" alt="{{$f.Name}}"><figcaption><b>{{$f.Name}}.</b> {{$f.Caption}}</figcaption></figure>
{{end}}
<h2 id="prov">Provenance</h2>
<dl><dt>commit</dt><dd><code>{{.Commit}}</code></dd><dt>profile</dt><dd>{{.Profile}}</dd>
<dt>numeric backend</dt><dd>{{.Backend}}</dd></dl>
{{if .Settings}}<h3>Params</h3><table><tbody>{{range .Settings}}<tr><td><code>{{.}}</code></td></tr>{{end}}</tbody></table>{{end}}
{{if .Times}}<h3>Training time per stage</h3>
<details><summary>{{len .Times}} stages, {{.TotalSeconds}} s of training in all (the seconds column of each stage's curve)</summary>
<table><thead><tr><th>stage</th><th>seconds</th></tr></thead><tbody>{{range .Times}}<tr><td>{{.Stage}}</td><td>{{.Seconds}}</td></tr>{{end}}</tbody></table></details>{{end}}
<script>
window.addEventListener("load", function () {
  var imgs = document.images, bad = 0;
  for (var i = 0; i < imgs.length; i++) { if (!imgs[i].complete || imgs[i].naturalWidth === 0) { bad++; } }
  document.body.setAttribute("data-images", bad === 0 ? "ok" : "missing " + bad);
});
</script>
</body></html>
`))
