package ui

import (
	"github.com/swtoken/swtoken/ui/internal/uitest"
)

const forged = uitest.Forged

var wantNoRawControls = uitest.WantNoRawControls
