"""One module per MetaCall loader, named by its tag (`recipe_for` imports it)."""
