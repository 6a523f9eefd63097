"""`delivery collect`: fetches the tools' response bodies from their REST APIs into the landing folder,
unmodified, in the layout of docs/exports.md, asking each time only for what changed since the last
collection."""
