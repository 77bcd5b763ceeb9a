"""Modal dialogs: confirm, save, load, the lever menu and the generated action forms."""
