"""Reading published reports (web pages, Word files) back into the statutory tables."""
