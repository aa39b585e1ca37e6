// Placeholder: the canonical formatter (privflow fmt) lands here.
