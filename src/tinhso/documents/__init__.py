"""E-office documents: incoming and outgoing official documents, registers and numbering,
drafting and approval, assignment and processing, work files and search (Nghị định 30/2020)."""
