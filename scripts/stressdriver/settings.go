package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/swtoken/swtoken/store"
)

// settingsSave is the driver's helper process (stressdriver settings-save
// -data-dir D -display-name N): a self-service settings save through the
// store, as the console's settings screen makes it (load, change one
// entry's display name, store.SaveSettings). swtoken has no command that
// saves settings yet, so this process stands in for a console; the killer
// hits it like any swtoken process. Exit 0 saved, 1 refused, 3 store in
// use.
func settingsSave(args []string) int {
	fs := flag.NewFlagSet("settings-save", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "the data directory")
	name := fs.String("display-name", "", "the new display name of the "+settingsTarget+" entry")
	if err := fs.Parse(args); err != nil || *dataDir == "" || *name == "" {
		fmt.Fprintln(os.Stderr, "usage: stressdriver settings-save -data-dir D -display-name N")
		return 2
	}
	err := func() error {
		st, err := store.Open(store.Options{DataDir: *dataDir, Activity: "stress: settings save"})
		if err != nil {
			return err
		}
		defer st.Close()
		set, err := st.Settings()
		if err != nil {
			return err
		}
		e := set.Entry(settingsTarget)
		if e == nil {
			return fmt.Errorf("the settings have no %s entry", settingsTarget)
		}
		e.DisplayName = *name
		return st.SaveSettings(set)
	}()
	if err == nil {
		fmt.Println("saved")
		return 0
	}
	fmt.Fprintln(os.Stderr, "settings-save:", err)
	var inUse *store.InUseError
	if errors.As(err, &inUse) {
		return 3
	}
	return 1
}
