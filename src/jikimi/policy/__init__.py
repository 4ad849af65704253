"""The policy as code: model, loader, statute presets, lint, render and diff."""
