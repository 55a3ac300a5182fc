"""Teacher educators and PhD students: public profiles by consent, contact details never public."""
