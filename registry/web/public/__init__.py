"""The public showcase that citizens see: home, browse, entries, units and topics."""
