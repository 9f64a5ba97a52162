package cli

import (
	"flag"
	"fmt"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("profiles", command{
		summary: "list, add, edit or delete software token profiles; field flags: --description D, " +
			"--other-guid G (device type Other), --delivery file|ctf|ct-kip|qr, --length 6|8, --duration 30|60, --auth pinpad|fob|tokencode",
		usage: "profiles list [--json] | add --name N --device-type T [field flags] [--json] | edit NAME [field flags] [--rename NEW] [--json] | delete NAME [--json]",
		run:   runProfiles,
	})
}

// profileJSON is the stable JSON form of a profile.
type profileJSON struct {
	ID              uint64    `json:"id"`
	Name            string    `json:"name"`
	Description     string    `json:"description"`
	DeviceType      string    `json:"device_type"`
	DeviceClassGUID string    `json:"device_class_guid"`
	DeliveryMethod  string    `json:"delivery_method"`
	FileBased       bool      `json:"file_based"`
	TokencodeLength int       `json:"tokencode_length"`
	DurationSeconds int       `json:"duration_seconds"`
	AuthType        string    `json:"auth_type"`
	AddPIN          bool      `json:"add_pin"`
	Created         time.Time `json:"created"`
	Updated         time.Time `json:"updated"`
	Revision        int       `json:"revision"`
}

func newProfileJSON(r store.ProfileRecord) profileJSON {
	p := r.Profile
	return profileJSON{
		ID: r.ID, Name: p.Name, Description: p.Description,
		DeviceType: string(p.DeviceType), DeviceClassGUID: p.ClassGUID(),
		DeliveryMethod: string(p.DeliveryMethod), FileBased: p.DeliveryMethod.IsFileBased(),
		TokencodeLength: p.TokencodeLength, DurationSeconds: p.Duration,
		AuthType: string(p.AuthType), AddPIN: p.AuthType.AddPIN(),
		Created: r.Created.UTC(), Updated: r.Updated.UTC(), Revision: r.Revision,
	}
}

func runProfiles(g Globals, args []string, stdio IO) error {
	if len(args) == 0 {
		return usagef("expected list, add, edit or delete")
	}
	switch args[0] {
	case "list":
		return runProfilesList(g, args[1:], stdio)
	case "add":
		return runProfilesAdd(g, args[1:], stdio)
	case "edit":
		return runProfilesEdit(g, args[1:], stdio)
	case "delete":
		return runProfilesDelete(g, args[1:], stdio)
	case "-h", "--help", "-help":
		return flag.ErrHelp
	}
	return usagef("unknown profiles subcommand %q; expected list, add, edit or delete", args[0])
}

func runProfilesList(g Globals, args []string, stdio IO) error {
	fs := newFlags("profiles list")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	return withStore(g, readOnly, "profiles list", func(st *store.Store) error {
		recs, err := st.Profiles()
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]profileJSON, len(recs))
			for i, r := range recs {
				out[i] = newProfileJSON(r)
			}
			return writeJSON(stdio.Stdout, out)
		}
		if len(recs) > 0 {
			fmt.Fprintf(stdio.Stdout, "%-30s  %-13s  %-34s  %6s  %8s  %s\n", "NAME", "DEVICE TYPE", "DELIVERY", "DIGITS", "DURATION", "AUTHENTICATION")
		}
		for _, r := range recs {
			p := r.Profile
			fmt.Fprintf(stdio.Stdout, "%-30s  %-13s  %-34s  %6d  %7ds  %s\n", model.Printable(p.Name), p.DeviceType, p.DeliveryMethod, p.TokencodeLength, p.Duration, p.AuthType)
		}
		fmt.Fprintln(stdio.Stdout, plural(len(recs), "profile"))
		return nil
	})
}

// profileFlags are the fields add and edit share.
type profileFlags struct {
	fs                          *flag.FlagSet
	name, deviceType, otherGUID *string
	delivery, auth, description *string
	length, duration            *int
}

func newProfileFlags(name string) *profileFlags {
	fs := newFlags(name)
	return &profileFlags{
		fs:          fs,
		name:        fs.String("name", "", "profile name (1-128 characters, unique)"),
		deviceType:  fs.String("device-type", "", "iPhone, Android, BlackBerry, BlackBerry 10, Windows Phone, Windows, macOS or Other"),
		otherGUID:   fs.String("other-guid", "", "the device class GUID, for device type Other"),
		delivery:    fs.String("delivery", "file", "file, ctf, ct-kip or qr"),
		auth:        fs.String("auth", "pinpad", "pinpad, fob or tokencode"),
		description: fs.String("description", "", "free text"),
		length:      fs.Int("length", 8, "tokencode length: 6 or 8"),
		duration:    fs.Int("duration", 60, "tokencode duration in seconds: 30 or 60"),
	}
}

// apply sets on p the fields given on the command line. Values are read
// with the model's parsers; an unknown word is a field error, not a usage
// error, so it gets the same message as in the console. --other-guid for a
// profile whose device type (given, or stored for edit) is not Other is a
// usage error.
func (f *profileFlags) apply(p *model.Profile) error {
	var es model.FieldErrors
	set := flagsSet(f.fs)
	if set["name"] {
		p.Name = *f.name
	}
	if set["device-type"] {
		dt, err := model.ParseDeviceType(*f.deviceType)
		es.Add(model.FieldDeviceType, err)
		p.DeviceType = dt
	}
	if set["other-guid"] {
		p.OtherGUID = *f.otherGUID
	}
	if set["delivery"] {
		m, err := model.ParseDeliveryMethod(*f.delivery)
		es.Add(model.FieldDeliveryMethod, err)
		p.DeliveryMethod = m
	}
	if set["auth"] {
		a, err := model.ParseAuthType(*f.auth)
		es.Add(model.FieldAuthType, err)
		p.AuthType = a
	}
	if set["description"] {
		p.Description = *f.description
	}
	if set["length"] {
		p.TokencodeLength = *f.length
	}
	if set["duration"] {
		p.Duration = *f.duration
	}
	if err := es.Err(); err != nil {
		return err
	}
	// The store drops OtherGUID for every other device type, so taking it
	// would report a change that never happens.
	if set["other-guid"] && p.DeviceType != model.DeviceOther {
		return usagef("--other-guid only applies to the %s device type (this profile's device type is %s)", model.DeviceOther, p.DeviceType)
	}
	return nil
}

// profileDeletedJSON is the stable JSON answer of profiles delete --json.
type profileDeletedJSON struct {
	Deleted string `json:"deleted"`
}

func runProfilesAdd(g Globals, args []string, stdio IO) error {
	pf := newProfileFlags("profiles add")
	asJSON := pf.fs.Bool("json", false, "print the new profile as JSON (the form of profiles list --json)")
	pos, err := parseInterleaved(pf.fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q (give the name with --name)", pos[0])
	}
	set := flagsSet(pf.fs)
	if !set["name"] || !set["device-type"] {
		return usagef("--name and --device-type are required")
	}
	// Unset flags keep the console's defaults (file-based, 8 digits, 60 s,
	// PINPad-style).
	p := model.NewProfile("", "")
	if err := pf.apply(&p); err != nil {
		return err
	}
	return withStore(g, readWrite, "add profile "+p.Name, func(st *store.Store) error {
		r, err := st.AddProfile(p)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdio.Stdout, newProfileJSON(r))
		}
		fmt.Fprintf(stdio.Stdout, "added profile %q (%s, %s, %d digits, %d s, %s)\n",
			r.Name, r.DeviceType, r.DeliveryMethod, r.TokencodeLength, r.Duration, r.AuthType)
		return nil
	})
}

func runProfilesEdit(g Globals, args []string, stdio IO) error {
	pf := newProfileFlags("profiles edit")
	rename := pf.fs.String("rename", "", "the profile's new name")
	asJSON := pf.fs.Bool("json", false, "print the saved profile as JSON (the form of profiles list --json)")
	pos, err := parseInterleaved(pf.fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("expected exactly one profile NAME")
	}
	set := flagsSet(pf.fs)
	if set["name"] {
		return usagef("give the profile to edit as NAME and a new name with --rename")
	}
	delete(set, "json")
	if len(set) == 0 {
		return usagef("nothing to change: give at least one field flag")
	}
	name := pos[0]
	return withStore(g, readWrite, "edit profile "+name, func(st *store.Store) error {
		// The flags are applied to the profile as stored when the edit is
		// written (one transaction), so an edit of other fields made by
		// another process meanwhile is kept.
		r, err := st.UpdateProfile(name, func(p *model.Profile) error {
			if err := pf.apply(p); err != nil {
				return err
			}
			if set["rename"] {
				p.Name = *rename
			}
			return nil
		})
		if err != nil {
			return err
		}
		if *asJSON {
			// The console's note on files already handed out is for
			// people; JSON output is the profile alone.
			return writeJSON(stdio.Stdout, newProfileJSON(r))
		}
		fmt.Fprintf(stdio.Stdout, "saved profile %q (revision %d)\n%s\n", r.Name, r.Revision, model.ProfileEditNote)
		return nil
	})
}

func runProfilesDelete(g Globals, args []string, stdio IO) error {
	fs := newFlags("profiles delete")
	asJSON := fs.Bool("json", false, `print {"deleted": NAME} as JSON`)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("expected exactly one profile NAME")
	}
	return withStore(g, readWrite, "delete profile "+pos[0], func(st *store.Store) error {
		// Names match ignoring case; report the name as stored. The
		// delete hands back the record it read: a change by another
		// process in between is refused (store.ConflictError).
		r, err := st.Profile(pos[0])
		if err != nil {
			return err
		}
		if err := st.DeleteProfile(r); err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdio.Stdout, profileDeletedJSON{Deleted: r.Name})
		}
		fmt.Fprintf(stdio.Stdout, "deleted profile %q\n", r.Name)
		return nil
	})
}
