package demo

import (
	"embed"
	"io/fs"
)

// PlanName is the plan's file name inside Files.
const PlanName = "plan.yaml"

//go:embed plan.yaml data
var files embed.FS

// Files returns the plan (PlanName) and its data directory (data/).
func Files() fs.FS { return files }
