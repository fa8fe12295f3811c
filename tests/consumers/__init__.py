"""Consumer-side models: the shapes the receiving products document, written
here from their documentation (field names and types are facts), never
imported from corpusc. An output that validates here is one the product's
own client code can read."""
