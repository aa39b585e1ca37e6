// Placeholder: replaced when this library lands.
