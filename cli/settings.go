package cli

import (
	"fmt"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("settings", command{
		summary: "show the self-service settings (Manage Authenticators)",
		usage:   "settings show [--json | --preview]",
		run:     runSettings,
	})
}

// settingsJSON is the stable JSON form of the self-service settings.
type settingsJSON struct {
	Profiles                []settingsEntryJSON `json:"profiles"`
	UserMustProvidePassword bool                `json:"user_must_provide_password"`
	ReplacementWindowDays   int                 `json:"replacement_window_days"`
}

// settingsEntryJSON is one profile's row. Every profile appears, selected
// or not, as on the settings screen.
type settingsEntryJSON struct {
	Profile        string `json:"profile"`
	Selected       bool   `json:"selected"`
	Default        bool   `json:"default"`
	DisplayName    string `json:"display_name"`
	ImageLocation  string `json:"image_location"`
	Description    string `json:"description"`
	Confirmed      bool   `json:"confirmed"`
	ConfirmStatus  string `json:"confirm_status"` // "confirmed", "not confirmed" or "confirmation lapsed: ..."
	AppDownloadURL string `json:"app_download_url"`
	HelpDocURL     string `json:"help_doc_url"`
	AllowUserEdit  bool   `json:"allow_user_edit"`
}

func runSettings(g Globals, args []string, stdio IO) error {
	if len(args) == 0 || args[0] != "show" {
		return usagef("expected the subcommand show")
	}
	fs := newFlags("settings show")
	asJSON := fs.Bool("json", false, "print JSON")
	preview := fs.Bool("preview", false, "show what a user sees and the approval e-mails")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *asJSON && *preview {
		return usagef("--json and --preview exclude each other")
	}
	return withStore(g, readOnly, "settings show", func(st *store.Store) error {
		s, err := st.Settings()
		if err != nil {
			return err
		}
		recs, err := st.Profiles()
		if err != nil {
			return err
		}
		profiles := make([]model.Profile, len(recs))
		for i, r := range recs {
			profiles[i] = r.Profile
		}
		if *preview {
			_, err := fmt.Fprint(stdio.Stdout, model.Preview(s, profiles))
			return err
		}
		out := settingsJSON{
			Profiles:                []settingsEntryJSON{},
			UserMustProvidePassword: s.UserMustProvidePassword,
			ReplacementWindowDays:   s.ReplacementWindowDays,
		}
		for _, p := range profiles {
			row := settingsEntryJSON{Profile: p.Name, ConfirmStatus: model.NotConfirmed.String()}
			if e := s.Entry(p.Name); e != nil {
				row = settingsEntryJSON{
					Profile: p.Name, Selected: e.Selected, Default: e.Default && e.Selected,
					DisplayName: e.DisplayName, ImageLocation: e.ImageLocation, Description: e.Description,
					Confirmed: e.IsConfirmed(p), ConfirmStatus: e.ConfirmStatus(p).String(),
					AppDownloadURL: e.AppDownloadURL, HelpDocURL: e.HelpDocURL, AllowUserEdit: e.AllowUserEdit,
				}
			}
			out.Profiles = append(out.Profiles, row)
		}
		if *asJSON {
			return writeJSON(stdio.Stdout, out)
		}
		printSettings(stdio, out, profiles)
		return nil
	})
}

func printSettings(stdio IO, s settingsJSON, profiles []model.Profile) {
	w := stdio.Stdout
	yes := map[bool]string{true: "yes", false: "no"}
	fmt.Fprintln(w, "Software Token Profiles Available for Request")
	if len(profiles) == 0 {
		fmt.Fprintln(w, "  (no profiles yet: add one with swtoken profiles add)")
	}
	for i, e := range s.Profiles {
		mark := "[ ]"
		if e.Selected {
			mark = "[x]"
		}
		def := ""
		if e.Default {
			def = "  (default)"
		}
		fmt.Fprintf(w, "  %s %s%s\n", mark, e.Profile, def)
		if !e.Selected {
			continue
		}
		p := profiles[i]
		fmt.Fprintf(w, "      Display Name:      %s\n", e.DisplayName)
		fmt.Fprintf(w, "      Image Location:    %s\n", e.ImageLocation)
		fmt.Fprintf(w, "      Description:       %s\n", e.Description)
		fmt.Fprintf(w, "      Tokencode:         %d digits, %d s, %s, %s (%s)\n", p.TokencodeLength, p.Duration, p.AuthType, p.DeliveryMethod, e.ConfirmStatus)
		fmt.Fprintf(w, "      App download URL:  %s\n", orNone(e.AppDownloadURL, "(left out of the e-mail)"))
		fmt.Fprintf(w, "      Help document URL: %s\n", orNone(e.HelpDocURL, "(left out of the e-mail)"))
		fmt.Fprintf(w, "      User may edit token attributes: %s\n", yes[e.AllowUserEdit])
	}
	fmt.Fprintf(w, "Token File Password Settings: the user provides the password: %s\n", yes[s.UserMustProvidePassword])
	fmt.Fprintf(w, "Expiring Token Parameters: replacement from %d days before expiry\n", s.ReplacementWindowDays)
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
