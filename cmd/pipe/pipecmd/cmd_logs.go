package pipecmd

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// logOf finds the log to show: that of the run the current profile uses,
// or of the stage's latest failure if that came later (or nothing else
// exists). The header names the profile.
func logOf(c *cli.Context, ws *workspace, stage string) (artifacts.Digest, string, error) {
	res, rerr := ws.resultOf(c.Context, stage)
	var fl struct {
		Log   artifacts.Digest `json:"log"`
		Error string           `json:"error"`
		Time  time.Time        `json:"time"`
	}
	if b, err := ws.store.GetRef(c.Context, "logs/"+stage); err == nil && json.Unmarshal(b, &fl) == nil {
		if rerr != nil || fl.Time.After(res.rec.End) {
			return fl.Log, fmt.Sprintf("# log of the latest run of %s, which failed: %s", stage, fl.Error), nil
		}
	}
	if rerr != nil {
		return "", "", rerr
	}
	rec := res.rec
	header := fmt.Sprintf("# log of %s under the %s profile, run %s (key %s)", stage, profileLabel(ws.file.Profile),
		rec.End.Local().Format("2006-01-02 15:04:05"), artifacts.Digest(rec.Key).Short())
	if res.note != "" {
		header += "\n# " + res.note
	}
	if rec.Log == "" {
		header += ": the stage wrote nothing"
	}
	return rec.Log, header, nil
}
