"""Reading the hypervisor's inventory and QEMU's own view of the same machine.

The hypervisor's side comes from its log records (harness.LogRecord); QEMU's
side from QMP. Tests compare the two: neither side is trusted to agree with
itself.
"""

HALTED = r"hv: all CPUs halted"
INVENTORY_DONE = r"inv: end"
RUNNING = r"vmm: partitions running"


def records(m, subsys, message=None):
    return [r for r in m.lines(subsys) if message is None or r.message == message]


def one(m, subsys, message):
    found = records(m, subsys, message)
    assert len(found) == 1, "expected one '%s: %s' line, got %d" % (subsys, message, len(found))
    return found[0].fields


def hv_pci_functions(m):
    """{(bus, dev, fn): (vendor, device, class)} from the 'pci: fn' lines."""
    out = {}
    for r in records(m, "pci", "fn"):
        seg, bus, devfn = r.fields["bdf"].split(":")
        dev, fn = devfn.split(".")
        vendor, device = r.fields["id"].split(":")
        out[(int(bus, 16), int(dev, 16), int(fn, 16))] = (
            int(vendor, 16), int(device, 16), int(r.fields["class"], 16))
    return out


def _walk_qmp_devices(devices, out):
    for d in devices:
        # QEMU lists an SR-IOV PF's VFs before VF Enable too, as vendor ffff:
        # no function answers there, so it is not part of the machine yet.
        if d["id"]["vendor"] == 0xFFFF:
            continue
        key = (d["bus"], d["slot"], d["function"])
        cls = d["class_info"]["class"] << 8
        out[key] = (d["id"]["vendor"], d["id"]["device"], cls)
        bridge = d.get("pci_bridge")
        if bridge:
            _walk_qmp_devices(bridge.get("devices", []), out)


def qemu_pci_functions(m):
    """{(bus, dev, fn): (vendor, device, class)} as QEMU reports it (query-pci)."""
    out = {}
    for bus in m.qmp("query-pci"):
        _walk_qmp_devices(bus["devices"], out)
    return out


def with_prog_if_masked(functions):
    """query-pci has no programming interface: compare base class and subclass."""
    return {k: (v, d, c & 0xffff00) for k, (v, d, c) in functions.items()}


def qom_device_of_type(m, type_name):
    """QOM path of the one anonymous device of type_name."""
    paths = [
        "/machine/peripheral-anon/" + child["name"]
        for child in m.qmp("qom-list", path="/machine/peripheral-anon")
        if child["type"] == "child<%s>" % type_name
    ]
    assert len(paths) == 1, "expected one %s, found %s" % (type_name, paths)
    return paths[0]
