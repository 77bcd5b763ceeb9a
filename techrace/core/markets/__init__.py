"""The markets that clear every quarter after the decisions (talent, tools, wafers, HBM, packaging, chips).

What they read of the licences beyond the legal shares (a chip's value through every channel, the tool
wear without service, ...) is worked out with the licence parts (`controls.Licences`), which outlive many quarters."""
