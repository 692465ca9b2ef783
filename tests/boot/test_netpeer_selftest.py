"""The boot tests' network peer (netpeer.py) checked without QEMU: a socket
pair stands in for the NIC, and this side plays the guest, sending frames
built by hand and checking what the peer answers and records."""
import os
import socket
import struct
import tempfile
import threading

import pytest

import netpeer as np

GUEST_MAC = "52:54:00:12:34:56"
GUEST_IP = "10.0.2.15"
OTHER_MAC = "02:54:00:12:34:01"


class Guest:
    """This test's end of the wire: sends frames, parses what comes back."""

    def __init__(self, sock, stream=False):
        self.sock, self.stream = sock, stream
        self.sock.settimeout(5)

    def send(self, frame):
        if self.stream:
            self.sock.sendall(struct.pack("!I", len(frame)) + frame)
        else:
            self.sock.send(frame)

    def recv(self):
        if not self.stream:
            return np.parse_frame(self.sock.recv(65536))
        head = self._exactly(4)
        return np.parse_frame(self._exactly(struct.unpack("!I", head)[0]))

    def _exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            assert chunk, "peer closed"
            data += chunk
        return data


@pytest.fixture
def wire():
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    peer = np.NetPeer(theirs).start()
    yield peer, Guest(ours)
    peer.close()
    ours.close()


def guest_ip_frame(proto, payload, src_mac=GUEST_MAC, dst_ip=np.PEER_IP):
    return np.eth(np.PEER_MAC, src_mac, np.ETH_P_IPV4, np.ipv4(GUEST_IP, dst_ip, proto, payload))


def test_checksum_matches_rfc1071_example():
    assert np.checksum(bytes.fromhex("0001f203f4f5f6f7")) == ~0xDDF2 & 0xFFFF
    assert np.checksum(b"\x12\x34\x56") == ~(0x1234 + 0x5600) & 0xFFFF
    header = np.ipv4("10.0.2.2", "10.0.2.15", 1, b"")
    assert np.checksum(header) == 0


def test_answers_arp_for_its_address_only(wire):
    peer, guest = wire
    guest.send(np.eth(np.BROADCAST, GUEST_MAC, np.ETH_P_ARP,
                      np.arp(np.ARP_REQUEST, GUEST_MAC, GUEST_IP, "00:00:00:00:00:00", "10.0.2.9")))
    guest.send(np.eth(np.BROADCAST, GUEST_MAC, np.ETH_P_ARP,
                      np.arp(np.ARP_REQUEST, GUEST_MAC, GUEST_IP, "00:00:00:00:00:00",
                             np.PEER_IP)))
    reply = guest.recv()
    assert (reply.dst, reply.src, reply.ethertype) == (GUEST_MAC, np.PEER_MAC, np.ETH_P_ARP)
    assert (reply.arp_op, reply.arp_sha, reply.arp_spa, reply.arp_tpa) == \
        (np.ARP_REPLY, np.PEER_MAC, np.PEER_IP, GUEST_IP)
    assert len(reply.raw) == np.ETH_ZLEN
    assert peer.answered["arp"] == 1
    assert peer.neighbours[GUEST_IP] == GUEST_MAC
    assert len(peer.received()) == 2


def test_answers_ping_with_same_id_seq_and_data(wire):
    peer, guest = wire
    guest.send(guest_ip_frame(np.IPPROTO_ICMP,
                              np.icmp_echo(np.ICMP_ECHO_REQUEST, 0x1234, 7, b"payload!")))
    reply = guest.recv()
    assert (reply.ip_src, reply.ip_dst, reply.ip_csum_ok, reply.l4_csum_ok) == \
        (np.PEER_IP, GUEST_IP, True, True)
    assert (reply.icmp_type, reply.icmp_id, reply.icmp_seq, reply.icmp_data) == \
        (np.ICMP_ECHO_REPLY, 0x1234, 7, b"payload!")
    got = peer.wait_for(lambda f: f.icmp_type == np.ICMP_ECHO_REQUEST)
    assert (got.src, got.icmp_id, got.icmp_seq) == (GUEST_MAC, 0x1234, 7)


def test_bad_checksums_are_recorded_not_answered(wire):
    peer, guest = wire
    msg = bytearray(np.icmp_echo(np.ICMP_ECHO_REQUEST, 1, 1, b"x"))
    msg[-1] ^= 0xFF
    guest.send(guest_ip_frame(np.IPPROTO_ICMP, bytes(msg)))
    bad_udp = bytearray(np.udp(GUEST_IP, np.PEER_IP, 1000, np.ECHO_PORT, b"hello"))
    bad_udp[-1] ^= 1
    guest.send(guest_ip_frame(np.IPPROTO_UDP, bytes(bad_udp)))
    frames = [peer.wait_for(lambda f: f.icmp_type is not None),
              peer.wait_for(lambda f: f.udp_payload is not None)]
    assert [f.l4_csum_ok for f in frames] == [False, False]
    assert peer.answered == {"arp": 0, "icmp": 0, "udp": 0}


def test_udp_echo_and_no_checksum(wire):
    peer, guest = wire
    guest.send(guest_ip_frame(np.IPPROTO_UDP,
                              np.udp(GUEST_IP, np.PEER_IP, 40000, np.ECHO_PORT, b"echo me")))
    reply = guest.recv()
    assert (reply.sport, reply.dport, reply.udp_payload, reply.l4_csum_ok) == \
        (np.ECHO_PORT, 40000, b"echo me", True)
    plain = struct.pack("!HHHH", 40000, np.ECHO_PORT, 8 + 3, 0) + b"abc"  # checksum 0: none
    guest.send(guest_ip_frame(np.IPPROTO_UDP, plain))
    reply = guest.recv()
    assert reply.udp_payload == b"abc"
    assert peer.answered["udp"] == 2
    # Other ports are recorded, not answered.
    guest.send(guest_ip_frame(np.IPPROTO_UDP, np.udp(GUEST_IP, np.PEER_IP, 1, 9, b"\0\0\0\5")))
    assert peer.wait_for(lambda f: f.dport == 9).seq == 5
    assert peer.answered["udp"] == 2


def test_sends_ping_udp_and_arp_to_the_guest(wire):
    peer, guest = wire
    # The guest's MAC is not known yet: the peer asks, the guest answers.
    def answer_arp():
        req = guest.recv()
        assert (req.dst, req.arp_op, req.arp_tpa) == (np.BROADCAST, np.ARP_REQUEST, GUEST_IP)
        guest.send(np.eth(np.PEER_MAC, GUEST_MAC, np.ETH_P_ARP,
                          np.arp(np.ARP_REPLY, GUEST_MAC, GUEST_IP, np.PEER_MAC, np.PEER_IP)))

    t = threading.Thread(target=answer_arp)
    t.start()
    assert peer.resolve(GUEST_IP, timeout=5) == GUEST_MAC
    t.join()
    assert peer.send_ping(GUEST_IP, 0x77, 3, b"abc")
    ping = guest.recv()
    assert (ping.dst, ping.icmp_type, ping.icmp_id, ping.icmp_seq, ping.l4_csum_ok) == \
        (GUEST_MAC, np.ICMP_ECHO_REQUEST, 0x77, 3, True)
    assert peer.send_udp_stream(GUEST_IP, 5000, 6000, first=10, count=3) == 3
    seqs = [guest.recv().seq for _ in range(3)]
    assert seqs == [10, 11, 12]
    assert len(peer.sent) == 1 + 1 + 3  # ARP request, ping, stream


def test_records_sources_and_sequence_gaps(wire):
    """The failover check: which MAC carried which part of a stream, and what was lost."""
    peer, guest = wire
    for seq in list(range(1, 6)) + list(range(8, 11)):
        mac = GUEST_MAC if seq < 6 else OTHER_MAC
        payload = struct.pack("!I", seq) + b"pad"
        guest.send(guest_ip_frame(np.IPPROTO_UDP, np.udp(GUEST_IP, np.PEER_IP, 9, 9000, payload),
                                  src_mac=mac))
    guest.send(guest_ip_frame(np.IPPROTO_UDP,
                              np.udp(GUEST_IP, np.PEER_IP, 9, 9000, struct.pack("!I", 9))))
    peer.wait_for(lambda f: f.seq == 9 and f.dport == 9000 and len(peer.frames) == 9)
    assert [f.seq for f in peer.frames_from(GUEST_MAC)] == [1, 2, 3, 4, 5, 9]
    assert [f.seq for f in peer.frames_from(OTHER_MAC)] == [8, 9, 10]
    r = np.seq_report(peer.udp_seqs(dport=9000), 1, 10)
    assert (r.received, r.missing, r.gaps, r.duplicates, r.reordered, r.lost) == \
        (9, [6, 7], [(6, 7)], [9], 0, 2)
    assert peer.udp_seqs(src=OTHER_MAC) == [8, 9, 10]


def test_seq_report_reordering_and_runs():
    r = np.seq_report([1, 3, 2, 6, 5, 9], 1, 10)
    assert r.missing == [4, 7, 8, 10]
    assert r.gaps == [(4, 4), (7, 8), (10, 10)]
    assert r.reordered == 2
    assert np.seq_report([], 1, 3).gaps == [(1, 3)]


@pytest.mark.parametrize("raw, note", [
    (b"\x01\x02", "eth short"),
    (bytes(12) + b"\x08\x06" + bytes(20), "arp short"),
    (bytes(12) + b"\x08\x00" + b"\x44" + bytes(19), "ip length"),
    (bytes(12) + b"\x08\x00" + b"\x45\x00\xff\xff" + bytes(16), "ip length"),
    (bytes(12) + b"\x08\x00" + b"\x65" + bytes(19), "ip header"),
])
def test_malformed_frames_are_recorded_with_a_note(raw, note):
    f = np.parse_frame(raw)
    assert note in f.notes
    assert f.ip_src is None and f.seq is None


def test_truncated_l4_headers():
    ip = np.ipv4("10.0.2.15", "10.0.2.2", np.IPPROTO_UDP, b"\0\1\0\2")
    f = np.parse_frame(np.eth(np.PEER_MAC, GUEST_MAC, np.ETH_P_IPV4, ip, pad=False))
    assert f.notes == ["udp short"] and f.sport is None
    bad_len = struct.pack("!HHHH", 1, 2, 200, 0)
    ip = np.ipv4("10.0.2.15", "10.0.2.2", np.IPPROTO_UDP, bad_len)
    assert np.parse_frame(np.eth(np.PEER_MAC, GUEST_MAC, np.ETH_P_IPV4, ip)).notes == \
        ["udp length"]
    frag = np.ipv4("10.0.2.15", "10.0.2.2", np.IPPROTO_ICMP, bytes(8), flags_frag=0x2000)
    assert "ip fragment" in np.parse_frame(np.eth(np.PEER_MAC, GUEST_MAC, np.ETH_P_IPV4,
                                                  frag)).notes


def test_stream_framing():
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    theirs.settimeout(0.1)
    peer = np.NetPeer(transport=np._Stream(sock=theirs)).start()
    guest = Guest(ours, stream=True)
    try:
        frame = guest_ip_frame(np.IPPROTO_ICMP, np.icmp_echo(np.ICMP_ECHO_REQUEST, 5, 6))
        # Two frames in one write, then one split across writes.
        ours.sendall(struct.pack("!I", len(frame)) + frame + struct.pack("!I", len(frame)) +
                     frame[:10])
        ours.sendall(frame[10:])
        assert [guest.recv().icmp_seq for _ in range(2)] == [6, 6]
        assert peer.answered["icmp"] == 2
    finally:
        peer.close()
        ours.close()


def test_dgram_and_stream_sockets_for_qemu():
    with tempfile.TemporaryDirectory(prefix="netpeer-") as d:
        peer = np.NetPeer.dgram(d)
        assert peer.netdev == "dgram:%s/qemu.sock:%s/peer.sock" % (d, d)
        with peer:
            # QEMU isn't there yet: sending fails quietly and is counted.
            assert peer.send_arp_request(GUEST_IP) is False
            assert peer.send_errors == 1
            qemu = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            qemu.bind(os.path.join(d, "qemu.sock"))
            qemu.settimeout(5)
            qemu.sendto(np.eth(np.BROADCAST, GUEST_MAC, np.ETH_P_ARP,
                               np.arp(np.ARP_REQUEST, GUEST_MAC, GUEST_IP,
                                      "00:00:00:00:00:00", np.PEER_IP)),
                        os.path.join(d, "peer.sock"))
            assert np.parse_frame(qemu.recv(2048)).arp_op == np.ARP_REPLY
            qemu.close()
        assert os.listdir(d) == ["qemu.sock"] or os.listdir(d) == []
        peer = np.NetPeer.stream(d)
        assert peer.netdev == "stream:%s/peer.sock" % d
        with peer:
            qemu = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            qemu.connect(os.path.join(d, "peer.sock"))
            guest = Guest(qemu, stream=True)
            guest.send(guest_ip_frame(np.IPPROTO_UDP,
                                      np.udp(GUEST_IP, np.PEER_IP, 3, np.ECHO_PORT, b"s")))
            assert guest.recv().udp_payload == b"s"
            qemu.close()
        assert not os.path.exists(os.path.join(d, "peer.sock"))


def test_pcap_round_trip(tmp_path):
    frames = [(1.5, b"\x01" * 60), (2.25, b"\x02" * 42)]
    path = tmp_path / "x.pcap"
    np.write_pcap(path, frames)
    assert np.read_pcap(path) == frames
    # A record cut short by a killed writer is left out.
    path.write_bytes(path.read_bytes()[:-5])
    assert np.read_pcap(path) == frames[:1]
    # Big-endian nanosecond files read the same.
    be = struct.pack(">IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1)
    be += struct.pack(">IIII", 3, 500000000, 2, 2) + b"hi"
    path.write_bytes(be)
    assert np.read_pcap(path) == [(3.5, b"hi")]
    path.write_bytes(b"not a pcap at all, no")
    with pytest.raises(ValueError):
        np.read_pcap(path)
