"""A child's network over its VF (drivers/nic/igbvf*.c through
guests/child/vf_net.c), checked from QEMU's side: the frames the child sends
are on the igb's wire (a pcap of the PF's netdev) with the MAC the PF gave
the VF, and the VF fetched them by DMA as its own requester ID through the
child's VT-d domain (QEMU's vtd_dmar_translate trace: the VF's RID, the
child's memory). The MAC the child asks for is refused or granted by its
port's policy, and the wire shows which."""
import re
import struct

from inventory import RUNNING

BOOT = 120
N = 5
TEST_TYPE = 0x88b5
VF0_RID = "01:10.00"  # QEMU's trace spells functions with two digits


def shell(m, command, pattern, timeout=30):
    m.send(command + "\r")
    m.wait_for(r"parent: hv> " + re.escape(command) + r"$", timeout=timeout)
    return m.wait_for(r"parent: " + pattern, timeout=timeout)


def boot(machine, **opts):
    m = machine(**opts)
    m.wait_for(RUNNING, timeout=BOOT)
    for name in ("parent", "child1", "child2"):
        m.wait_for(r"%s: heartbeat n=1\b" % name, timeout=60, since=0)
    m.wait_for(r"parent: nic ready .* vfs=2", since=0)
    return m


def give_vf(m, child, vf):
    mac = shell(m, "vf alloc %s" % child, r"ok op=alloc vf=%d .* mac=(\S+)" % vf).group(1)
    shell(m, "vf assign %d %s" % (vf, child), r"ok op=assign vf=%d " % vf)
    return mac


def read_pcap(path):
    data = path.read_bytes()
    frames, at = [], 24
    while at + 16 <= len(data):
        incl = struct.unpack_from("<I", data, at + 8)[0]
        frames.append(data[at + 16:at + 16 + incl])
        at += 16 + incl
    return frames


def vf_frames(pcap):
    return [f for f in read_pcap(pcap) if f[12:14] == struct.pack(">H", TEST_TYPE)
            and f[14:].startswith(b"vf-frame ")]


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def test_child_sends_through_its_vf_as_qemu_sees_it(machine, tmp_path):
    pcap, trace = tmp_path / "nic0.pcap", tmp_path / "vtd.log"
    m = boot(machine, set={"partition child1.cmdline": "vf-send=%d" % N}, pcap=str(pcap),
             trace=["vtd_dmar_translate"], trace_log=str(trace))
    port_mac = give_vf(m, "child1", 0)
    reset = m.wait_for(r"child1: vf reset result=ok mac=(\S+) handshake_us=(\d+)", timeout=60)
    assert reset.group(1) == port_mac
    up = m.wait_for(r"child1: vf up bdf=01:10.0 mac=(\S+) txd=(0x[0-9a-f]+) rxd=(0x[0-9a-f]+)")
    assert up.group(1) == port_mac
    m.wait_for(r"child1: vf sent n=%d of=%d src=%s drained=yes$" % (N, N, port_mac))
    # The RX ring works too: QEMU's VMDq switch hands a broadcast to every
    # pool that accepts broadcasts, the sender's own included.
    m.wait_for(r"child1: vf rx len=60 dst=ff:ff:ff:ff:ff:ff src=%s type=0x88b5" % port_mac,
               since=0)
    # The PF granted the reset: the VF's pool runs, with the port's MAC.
    m.wait_for(r"parent: igb: vf reset vf=0 port=child1 mac=%s reply=ack" % port_mac, since=0)
    # The child keeps running with the VF; revocation stops the VF first.
    shell(m, "vf revoke 0", r"ok op=revoke vf=0 ", timeout=60)
    m.wait_for(r"child1: vf stats when=revoking tx=%d " % N, since=0)
    m.wait_for(r"child1: vf stopped result=ok", since=0)
    m.wait_for(r"child1: vf revoking bdf=01:10.0 release=0", since=0)
    hpa = int(m.wait_for(r"vmm: partition created name=child1 .* hpa=(0x[0-9a-f]+)",
                         since=0).group(1), 16)
    m.kill()

    # On the wire: exactly N frames, the port's MAC as source, in order.
    frames = vf_frames(pcap)
    assert len(frames) == N, [f[:20].hex() for f in frames]
    for seq, f in enumerate(frames):
        assert f[:6] == b"\xff" * 6 and f[6:12] == mac_bytes(port_mac)
        assert f[14:].startswith(b"vf-frame %d\0" % seq) and len(f) == 60
    # The VF read its TX ring as requester 01:10.0 through child1's domain:
    # the child's guest-physical ring address at child1's host memory.
    pages = [tuple(int(v, 16) for v in t) for t in re.findall(
        r"vtd_dmar_translate dev %s iova (0x[0-9a-f]+) -> gpa (0x[0-9a-f]+) "
        r"mask (0x[0-9a-f]+)" % re.escape(VF0_RID), trace.read_text())]
    assert pages, "no translation with the VF's source id"
    for ring in (int(up.group(2), 16), int(up.group(3), 16)):
        assert any(iova <= ring <= iova | mask and gpa == hpa + iova
                   for iova, gpa, mask in pages), (hex(ring), pages[:4])


def test_mac_change_refused_or_granted_by_the_port(machine, tmp_path):
    pcap = tmp_path / "nic0.pcap"
    asked = "02:11:22:33:44:55"
    opts = "vf-mac=%s vf-send=2" % asked
    m = boot(machine, set={"partition child1.cmdline": opts, "partition child2.cmdline": opts},
             pcap=str(pcap))
    shell(m, "port set child2 mac_change=on", r"ok port=child2")
    mac1 = give_vf(m, "child1", 0)
    m.wait_for(r"child1: vf set-mac mac=%s result=refused mac_now=%s" % (asked, mac1),
               timeout=60)
    m.wait_for(r"child1: vf sent n=2 of=2 src=%s drained=yes" % mac1)
    mac2 = give_vf(m, "child2", 1)
    m.wait_for(r"child2: vf set-mac mac=%s result=ok mac_now=%s" % (asked, asked), timeout=60)
    m.wait_for(r"child2: vf sent n=2 of=2 src=%s drained=yes" % asked)
    # child1 hears child2 through the NIC's switch: VF to VF, RX ring to RX ring
    # (on the VF's interrupt: possibly before child2 printed that it sent).
    m.wait_for(r"child1: vf rx len=60 dst=ff:ff:ff:ff:ff:ff src=%s type=0x88b5" % asked,
               since=0)
    m.kill()
    sources = [f[6:12] for f in vf_frames(pcap)]
    assert sources == [mac_bytes(mac1)] * 2 + [mac_bytes(asked)] * 2, sources
    assert mac_bytes(mac2) not in sources


def test_after_revocation_the_vf_reaches_only_its_new_owner(machine, tmp_path):
    """Issue 4: after unassign, the former owner's device no longer reaches
    the former owner's memory. child1 and child2 run the same image, so
    their drivers put the VF's rings at the same guest-physical addresses:
    while child1 holds the VF those addresses are child1's memory, after
    the move the very same addresses are child2's, and QEMU's own
    translations (and cached IOTLB hits) for the VF's requester ID say
    which memory each DMA reached."""
    trace = tmp_path / "vtd.log"
    m = boot(machine, set={"partition child1.cmdline": "vf-send=3",
                           "partition child2.cmdline": "vf-send=3"},
             trace=["vtd_dmar_translate", "vtd_iotlb_page_hit", "vtd_inv_desc_cc_device"],
             trace_log=str(trace))
    give_vf(m, "child1", 0)
    up1 = m.wait_for(r"child1: vf up bdf=01:10.0 mac=\S+ txd=(0x[0-9a-f]+) rxd=(0x[0-9a-f]+)",
                     timeout=60)
    m.wait_for(r"child1: vf sent n=3 of=3 .* drained=yes")
    shell(m, "vf revoke 0", r"ok op=revoke vf=0 ", timeout=60)
    # The VF served child1's port: freed, then allocated for child2's.
    shell(m, "vf free 0", r"ok op=free vf=0")
    give_vf(m, "child2", 0)
    up2 = m.wait_for(r"child2: vf up bdf=01:10.0 mac=\S+ txd=(0x[0-9a-f]+) rxd=(0x[0-9a-f]+)",
                     timeout=60)
    m.wait_for(r"child2: vf sent n=3 of=3 .* drained=yes")
    # The child that lost the VF goes on.
    n = int(m.wait_for(r"child1: heartbeat n=(\d+)").group(1))
    m.wait_for(r"child1: heartbeat n=%d\b" % (n + 1), timeout=30)
    hpa = {}
    for name in ("child1", "child2"):
        hpa[name] = int(m.wait_for(r"vmm: partition created name=%s .* hpa=(0x[0-9a-f]+)"
                                   % name, since=0).group(1), 16)
    domains = [int(d) for d in re.findall(r"iommu: assign bdf=0000:01:10\.0 unit=\d+ domain=(\d+)",
                                          "\n".join(m.serial()))]
    m.kill()
    assert up1.groups() == up2.groups(), "same image, same ring addresses"
    size = 32 << 20

    def owner(host):
        for name, base in hpa.items():
            if base <= host < base + size:
                return name
        return "elsewhere"

    # In trace order: every translation of the VF's requester ID lands in
    # child1's memory until the first in child2's, and never again after.
    where = []
    for line in trace.read_text().splitlines():
        t = re.search(r"vtd_dmar_translate dev %s iova (0x[0-9a-f]+) -> gpa (0x[0-9a-f]+)"
                      % re.escape(VF0_RID), line)
        if t:
            iova, host = int(t.group(1), 16), int(t.group(2), 16)
            where.append(owner(host))
            assert host == hpa[where[-1]] + iova if where[-1] != "elsewhere" else False, line
    assert "child1" in where and "child2" in where, where
    first2 = where.index("child2")
    assert set(where[:first2]) == {"child1"} and set(where[first2:]) == {"child2"}, where
    # The move invalidated the VF's cached context (device-selective), and
    # no IOTLB hit after the move used child1's domain.
    text = trace.read_text()
    assert "vtd_inv_desc_cc_device" in text
    assert len(domains) == 2 and domains[0] != domains[1], domains
    after = text[text.rfind("vtd_inv_desc_cc_device"):]
    hits = [int(d, 16) for d in re.findall(r"vtd_iotlb_page_hit sid 0x0*110 .* domain 0x([0-9a-f]+)",
                                           after)]
    assert domains[0] not in hits, (domains, hits[:8])
