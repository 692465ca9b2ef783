"""`make run`'s story (guests/parent/story.h), booted as make run boots it:
the default configuration with the command lines of the Makefile's
STORY_SETS, slirp networking, the parent telling the story on its own.

What the guests claim (the summary table) is checked against what QEMU saw
on the wire: its pcap of the PF's netdev (filter-dump) must hold both
children's echo requests to the slirp gateway, sequence numbers without a
gap from the first to the last (through the VF's arrival, its revocation
and its move), each one answered. Then the parent's shell still answers,
and `story` runs again from the state the first run left (VFs taken back
first)."""
import re

from harness import REPO_ROOT
from inventory import RUNNING
from netpeer import ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, parse_frame, read_pcap, seq_report

GATEWAY = "10.0.2.2"
PING_ID = 0x4E56  # guests/child/net_app.c
STORY_S = 90
CHILDREN = ("child1", "child2")
STEPS = ["synthetic", "vf", "failover", "move", "second-vf", "summary"]
ROW = re.compile(r"parent: story  (?P<child>\S+)\s+(?P<path>synthetic|vf)\s+(?P<syn_tx>\d+)\s+"
                 r"(?P<syn_rx>\d+)\s+(?P<vf_tx>\d+)\s+(?P<vf_rx>\d+)\s+(?P<lost>\d+)\s+"
                 r"(?P<fo_lost>\d+|-)\s+(?P<tx_drop>\d+|-)\s+(?P<dp_syn>[\d.]+|-)\s+"
                 r"(?P<dp_vf>[\d.]+|-)\s+"
                 r"(?P<all_syn>[\d.]+|-)\s+(?P<all_vf>[\d.]+|-)$")


def story_sets():
    """The --set options of `make run`, read from the Makefile (one source)."""
    text = (REPO_ROOT / "Makefile").read_text()
    ping = re.search(r"^STORY_PING := (.*)$", text, re.M).group(1).strip()
    block = re.search(r"^STORY_SETS := (.*?)\n(?=\S)", text, re.M | re.S).group(1)
    return {key: value.replace("$(STORY_PING)", ping)
            for key, value in re.findall(r'--set "([^="]+)=([^"]*)"', block)}


def run_story(m, start):
    """Waits for one telling of the story; its step names and table rows."""
    m.wait_for(r"parent: story start ports=2", timeout=STORY_S, since=start)
    steps = []
    while True:
        line = m.wait_for(r"parent: story (step=(\d+) what=(\S+)(?: .*)?|error .*|done)$",
                          timeout=STORY_S)
        assert not line.group(1).startswith("error"), line.group(0)
        if line.group(1) == "done":
            break
        steps.append((int(line.group(2)), line.group(3)))
    return steps


def table(m, since):
    rows = {}
    for line in m.serial()[since:]:
        row = ROW.search(line)
        if row:
            rows[row.group("child")] = row.groupdict()
    return rows


def shell(m, command, pattern, timeout=30):
    m.send(command + "\r")
    m.wait_for(r"parent: hv> " + re.escape(command) + r"$", timeout=timeout)
    return m.wait_for(r"parent: " + pattern, timeout=timeout)


def check_table(rows):
    assert set(rows) == set(CHILDREN), rows
    for name, r in rows.items():
        assert r["path"] == "vf", (name, r)  # both end on a VF: two are configured
        for col in ("syn_tx", "syn_rx", "vf_tx", "vf_rx"):
            assert int(r[col]) > 0, (name, col, r)  # pings went out on both paths
        assert r["lost"] == "0", (name, r)
        assert r["tx_drop"] == "0", (name, r)  # nor did the child's stack or bond drop any
        assert r["dp_vf"] == "0.00", (name, r)  # the VF path costs no exit per packet
        assert r["dp_syn"] != "-", (name, r)
    assert rows["child1"]["fo_lost"] == "0", rows  # the planned failover lost nothing
    assert rows["child2"]["fo_lost"] == "-", rows  # child2 never failed over


def echo_seqs(pcap, mac, ip):
    """Seqs of the child's echo requests to the gateway, and of the replies it got."""
    requests, replies = [], []
    for _, raw in read_pcap(pcap):
        f = parse_frame(raw)
        if f.icmp_id != PING_ID:
            continue
        if f.icmp_type == ICMP_ECHO_REQUEST and f.src == mac and f.ip_dst == GATEWAY:
            requests.append(f.icmp_seq)
        elif f.icmp_type == ICMP_ECHO_REPLY and f.dst == mac and f.ip_dst == ip:
            replies.append(f.icmp_seq)
    return requests, replies


def check_wire(pcap, child, mac, ip):
    requests, replies = echo_seqs(pcap, mac, ip)
    assert len(requests) > 60, (child, len(requests))  # 5 steps of 3 s at 5 pings/s
    first, last = requests[0], requests[-1]
    sent = seq_report(requests, first, last)
    assert not sent.missing and not sent.duplicates, (child, sent)
    # The last request may still be on its way back when the pcap is read.
    answered = seq_report(replies, first, last - 1)
    assert not answered.missing, (child, answered.gaps)


def test_story_as_make_run_tells_it(machine, tmp_path):
    pcap = tmp_path / "pf.pcap"
    m = machine(set=story_sets(), pcap=str(pcap))
    m.wait_for(RUNNING, timeout=STORY_S)
    addrs = {}
    for name in CHILDREN:
        up = m.wait_for(r"%s: net up ip=(\S+) mac=(\S+) path=synthetic" % name,
                        timeout=STORY_S, since=0)
        addrs[name] = up.groups()
    start = len(m.serial())
    steps = run_story(m, 0)
    assert steps == list(enumerate(STEPS, 1)), steps
    rows = table(m, start)
    check_table(rows)
    m.wait_for(r"child1: net path=synthetic reason=dissociate", timeout=1, since=0)
    m.wait_for(r"parent: story vf=(\d+) from=child1 to=child2 same_vf=yes", timeout=1, since=0)

    # The shell is the user's now: both ports on their VFs.
    shell(m, "net list", r"ok$")
    ports = re.findall(r"parent: net port=(\S+) state=open path=vf ", "\n".join(m.serial()))
    assert set(ports) >= set(CHILDREN), ports
    for name in CHILDREN:
        check_wire(pcap, name, addrs[name][1], addrs[name][0])

    # Told again: the VFs handed out by the first run are taken back first.
    again = len(m.serial())
    m.send("story\r")
    steps = run_story(m, again)
    assert steps[0] == (0, "reset") and steps[1:] == list(enumerate(STEPS, 1)), steps
    check_table(table(m, again))
