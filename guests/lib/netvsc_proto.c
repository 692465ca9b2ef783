/*
 * NetVSC/NetVSP messages (netvsc_proto.h): encoders and the validating
 * decoder. Decoding is table-driven: the header is checked once (version,
 * type, length against the buffer), then the type's row gives the exact
 * length of a fixed message, the sides allowed to send it and the function
 * that checks and copies its fields.
 */
#include "guests/lib/netvsc_proto.h"
#include "hv/errno.h"
#include "hv/string.h"

#define FROM_CHILD  (1u << NVSP_FROM_CHILD)
#define FROM_PARENT (1u << NVSP_FROM_PARENT)
#define FROM_EITHER (FROM_CHILD | FROM_PARENT)

static int refuse(const char **reason, const char *why, int err)
{
	if (reason)
		*reason = why;
	return err;
}

static bool mac_unicast(const uint8_t *mac)
{
	static const uint8_t zero[NVSP_ETH_ALEN];

	return !(mac[0] & 1) && memcmp(mac, zero, NVSP_ETH_ALEN) != 0;
}

/* --- Field checks and copies, one per fixed-size type ------------------- */

static int dec_init(const void *buf, struct nvsp_msg *m, const char **why)
{
	const struct nvsp_init *p = buf;

	if (p->version_min > p->version_max || p->version_min == 0)
		return refuse(why, "version range empty", -EBADMSG);
	if (p->mtu < NVSP_MTU_MIN || p->mtu > NVSP_MTU_MAX)
		return refuse(why, "mtu out of range", -EBADMSG);
	m->u.init.version_min = p->version_min;
	m->u.init.version_max = p->version_max;
	m->u.init.mtu = p->mtu;
	return 0;
}

static int dec_init_ack(const void *buf, struct nvsp_msg *m, const char **why)
{
	const struct nvsp_init_ack *p = buf;

	if (p->link_up > 1)
		return refuse(why, "link_up not 0/1", -EBADMSG);
	if (p->status > 0)
		return refuse(why, "status positive", -EBADMSG);
	if (p->status == 0 && (p->version < NVSP_VERSION_MIN || p->version > NVSP_VERSION_MAX))
		return refuse(why, "chosen version not ours", -ENOTSUP);
	if (p->status == 0 && (p->mtu < NVSP_MTU_MIN || p->mtu > NVSP_MTU_MAX))
		return refuse(why, "mtu out of range", -EBADMSG);
	if (p->status == 0 && !mac_unicast(p->mac))
		return refuse(why, "port MAC not unicast", -EBADMSG);
	m->u.init_ack.status = p->status;
	m->u.init_ack.version = p->version;
	m->u.init_ack.mtu = p->mtu;
	memcpy(m->u.init_ack.mac, p->mac, NVSP_ETH_ALEN);
	m->u.init_ack.link_up = p->link_up;
	return 0;
}

static int dec_link(const void *buf, struct nvsp_msg *m, const char **why)
{
	const struct nvsp_link *p = buf;

	if (p->up > 1)
		return refuse(why, "up not 0/1", -EBADMSG);
	m->u.link.up = p->up;
	m->u.link.speed_mbps = p->speed_mbps;
	return 0;
}

static int dec_vf_associate(const void *buf, struct nvsp_msg *m, const char **why)
{
	const struct nvsp_vf_associate *p = buf;

	if (p->associated > 1)
		return refuse(why, "associated not 0/1", -EBADMSG);
	if (p->bdf > 0xffff)
		return refuse(why, "bdf above 16 bits", -EBADMSG);
	if (p->associated && !mac_unicast(p->mac))
		return refuse(why, "VF MAC not unicast", -EBADMSG);
	m->u.vf.serial = p->serial;
	m->u.vf.bdf = p->bdf;
	memcpy(m->u.vf.mac, p->mac, NVSP_ETH_ALEN);
	m->u.vf.associated = p->associated;
	return 0;
}

static int dec_switch(const void *buf, struct nvsp_msg *m, const char **why)
{
	const struct nvsp_switch_datapath *p = buf;

	if (p->path > NVSP_PATH_VF)
		return refuse(why, "unknown data path", -EBADMSG);
	m->u.sw.request_id = p->request_id;
	m->u.sw.path = (enum nvsp_path)p->path;
	return 0;
}

static int dec_switch_ack(const void *buf, struct nvsp_msg *m, const char **why)
{
	const struct nvsp_switch_ack *p = buf;

	if (p->path > NVSP_PATH_VF)
		return refuse(why, "unknown data path", -EBADMSG);
	if (p->status > 0)
		return refuse(why, "status positive", -EBADMSG);
	m->u.ack.request_id = p->request_id;
	m->u.ack.status = p->status;
	m->u.ack.path = (enum nvsp_path)p->path;
	return 0;
}

static int dec_stats_req(const void *buf, struct nvsp_msg *m, const char **why)
{
	(void)why;
	m->u.stats_req.request_id = ((const struct nvsp_stats_req *)buf)->request_id;
	return 0;
}

static int dec_stats_reply(const void *buf, struct nvsp_msg *m, const char **why)
{
	const struct nvsp_stats_reply *p = buf;

	(void)why;
	m->u.stats.request_id = p->request_id;
	memcpy(&m->u.stats.stats, &p->stats, sizeof(p->stats));
	return 0;
}

/* --- Variable-length types ---------------------------------------------- */

static int dec_frame(const void *buf, size_t len, struct nvsp_msg *m, const char **why)
{
	const struct nvsp_frame *p = buf;

	if (p->frame_len > NVSP_FRAME_MAX)
		return refuse(why, "frame longer than 1518", -E2BIG);
	if (p->frame_len < NVSP_FRAME_MIN)
		return refuse(why, "frame shorter than an Ethernet header", -EBADMSG);
	if (len != sizeof(*p) + p->frame_len)
		return refuse(why, "frame_len disagrees with the message length", -EBADMSG);
	m->u.frame.data = (const uint8_t *)buf + sizeof(*p);
	m->u.frame.len = p->frame_len;
	return 0;
}

static uint32_t entry_size(uint16_t frame_len)
{
	return (uint32_t)ALIGN_UP(sizeof(struct nvsp_batch_entry) + frame_len, 4u);
}

/* One entry at pos, at most `room` bytes: its size, or a refusal. */
static int check_entry(const uint8_t *pos, uint32_t room, const char **why)
{
	struct nvsp_batch_entry e;

	if (room < sizeof(e))
		return refuse(why, "batch entry header past the end", -EBADMSG);
	memcpy(&e, pos, sizeof(e));
	if (e.len > NVSP_FRAME_MAX)
		return refuse(why, "batch frame longer than 1518", -E2BIG);
	if (e.len < NVSP_FRAME_MIN)
		return refuse(why, "batch frame shorter than an Ethernet header", -EBADMSG);
	if (entry_size(e.len) > room)
		return refuse(why, "batch frame past the end", -EBADMSG);
	return (int)entry_size(e.len);
}

static int dec_batch(const void *buf, size_t len, struct nvsp_msg *m, const char **why)
{
	const struct nvsp_batch *p = buf;
	const uint8_t *pos = (const uint8_t *)buf + sizeof(*p);
	uint32_t room = (uint32_t)(len - sizeof(*p));

	if (p->count == 0)
		return refuse(why, "empty batch", -EBADMSG);
	if (p->count > NVSP_BATCH_MAX)
		return refuse(why, "more than 64 frames in a batch", -E2BIG);
	/* count bounds the walk; each step consumes at least one entry header. */
	for (unsigned i = 0; i < p->count; i++) {
		int size = check_entry(pos, room, why);

		if (size < 0)
			return size;
		pos += size;
		room -= (uint32_t)size;
	}
	if (room != 0)
		return refuse(why, "bytes after the last batch entry", -EBADMSG);
	m->u.batch.entries = (const uint8_t *)buf + sizeof(*p);
	m->u.batch.bytes = (uint32_t)(len - sizeof(*p));
	m->u.batch.count = p->count;
	return 0;
}

/* --- The decoder -------------------------------------------------------- */

struct type_row {
	const char *name;
	uint32_t size; /* exact length; the minimum for variable types */
	bool variable; /* FRAME, FRAME_BATCH */
	unsigned from; /* FROM_* mask */
	int (*fixed)(const void *buf, struct nvsp_msg *m, const char **why);
	int (*var)(const void *buf, size_t len, struct nvsp_msg *m, const char **why);
};

static const struct type_row rows[NVSP_TYPE_COUNT] = {
    [NVSP_INIT] = {"init", sizeof(struct nvsp_init), false, FROM_CHILD, dec_init, NULL},
    [NVSP_INIT_ACK] = {"init_ack", sizeof(struct nvsp_init_ack), false, FROM_PARENT, dec_init_ack,
		       NULL},
    [NVSP_LINK] = {"link", sizeof(struct nvsp_link), false, FROM_PARENT, dec_link, NULL},
    [NVSP_FRAME] = {"frame", sizeof(struct nvsp_frame), true, FROM_EITHER, NULL, dec_frame},
    [NVSP_FRAME_BATCH] = {"frame_batch", sizeof(struct nvsp_batch), true, FROM_EITHER, NULL,
			  dec_batch},
    [NVSP_VF_ASSOCIATE] = {"vf_associate", sizeof(struct nvsp_vf_associate), false, FROM_PARENT,
			   dec_vf_associate, NULL},
    [NVSP_SWITCH_DATAPATH] = {"switch_datapath", sizeof(struct nvsp_switch_datapath), false,
			      FROM_CHILD, dec_switch, NULL},
    [NVSP_SWITCH_ACK] = {"switch_ack", sizeof(struct nvsp_switch_ack), false, FROM_PARENT,
			 dec_switch_ack, NULL},
    /* Either side may ask for the other's counters (the parent prints a table of them). */
    [NVSP_STATS_REQ] = {"stats_req", sizeof(struct nvsp_stats_req), false, FROM_EITHER,
			dec_stats_req, NULL},
    [NVSP_STATS_REPLY] = {"stats_reply", sizeof(struct nvsp_stats_reply), false, FROM_EITHER,
			  dec_stats_reply, NULL},
};

const char *nvsp_type_name(uint16_t type)
{
	if (type >= NVSP_TYPE_COUNT || !rows[type].name)
		return "unknown";
	return rows[type].name;
}

static int check_header(const struct nvsp_hdr *h, size_t len, const char **why)
{
	if (h->version < NVSP_VERSION_MIN || h->version > NVSP_VERSION_MAX)
		return refuse(why, "unknown message version", -ENOTSUP);
	if (h->type >= NVSP_TYPE_COUNT || !rows[h->type].name)
		return refuse(why, "unknown message type", -ENOTSUP);
	if (h->len != len)
		return refuse(why, "header length disagrees with the packet", -EBADMSG);
	return 0;
}

static int check_size(const struct type_row *row, size_t len, const char **why)
{
	if (len < row->size)
		return refuse(why, "message shorter than its type", -EBADMSG);
	if (!row->variable && len != row->size)
		return refuse(why, "message longer than its type", -EBADMSG);
	return 0;
}

int nvsp_decode(const void *buf, size_t len, enum nvsp_from from, struct nvsp_msg *out,
		const char **reason)
{
	struct nvsp_msg m = {0};
	struct nvsp_hdr h;
	const struct type_row *row;
	int err;

	if (!buf || len < sizeof(h))
		return refuse(reason, "shorter than a header", -EBADMSG);
	if (len > NVSP_MSG_MAX)
		return refuse(reason, "longer than NVSP_MSG_MAX", -E2BIG);
	memcpy(&h, buf, sizeof(h));
	err = check_header(&h, len, reason);
	if (err)
		return err;
	row = &rows[h.type];
	if (!(row->from & (1u << from)))
		return refuse(reason, "type not allowed from this side", -EPERM);
	err = check_size(row, len, reason);
	if (err)
		return err;
	m.type = h.type;
	m.version = h.version;
	err = row->variable ? row->var(buf, len, &m, reason) : row->fixed(buf, &m, reason);
	if (err)
		return err;
	*out = m;
	return refuse(reason, "ok", 0);
}

int nvsp_version_choose(uint16_t min, uint16_t max, uint16_t *chosen)
{
	uint16_t hi = MIN(max, (uint16_t)NVSP_VERSION_MAX);

	if (min > max || hi < MAX(min, (uint16_t)NVSP_VERSION_MIN))
		return -ENOTSUP;
	*chosen = hi;
	return 0;
}

/* --- Encoders ----------------------------------------------------------- */

/* Zeroes the message struct m (size bytes) and writes its header for a message of len bytes. */
static void put_header(void *m, size_t size, uint16_t type, size_t len)
{
	struct nvsp_hdr h = {.version = NVSP_VERSION_1, .type = type, .len = (uint32_t)len};

	memset(m, 0, size);
	memcpy(m, &h, sizeof(h));
}

/* Copies a message built on the stack out to the caller's buffer. */
static int emit(void *buf, size_t cap, const void *m, size_t size)
{
	if (!buf || cap < size)
		return -ENOSPC;
	memcpy(buf, m, size);
	return (int)size;
}

int nvsp_encode_init(void *buf, size_t cap, uint16_t version_min, uint16_t version_max,
		     uint16_t mtu)
{
	struct nvsp_init m;

	if (version_min == 0 || version_min > version_max || mtu < NVSP_MTU_MIN ||
	    mtu > NVSP_MTU_MAX)
		return -EINVAL;
	put_header(&m, sizeof(m), NVSP_INIT, sizeof(m));
	m.version_min = version_min;
	m.version_max = version_max;
	m.mtu = mtu;
	return emit(buf, cap, &m, sizeof(m));
}

int nvsp_encode_init_ack(void *buf, size_t cap, int32_t status, uint16_t version, uint16_t mtu,
			 const uint8_t mac[NVSP_ETH_ALEN], bool link_up)
{
	struct nvsp_init_ack m;

	bool usable = mac && mac_unicast(mac) && mtu >= NVSP_MTU_MIN && mtu <= NVSP_MTU_MAX &&
		      version >= NVSP_VERSION_MIN && version <= NVSP_VERSION_MAX;

	/* A refusal (status < 0) carries no MAC, MTU or version worth checking. */
	if (status > 0 || (status == 0 && !usable))
		return -EINVAL;
	put_header(&m, sizeof(m), NVSP_INIT_ACK, sizeof(m));
	m.status = status;
	m.version = version;
	m.mtu = mtu;
	if (mac)
		memcpy(m.mac, mac, NVSP_ETH_ALEN);
	m.link_up = link_up;
	return emit(buf, cap, &m, sizeof(m));
}

int nvsp_encode_link(void *buf, size_t cap, bool up, uint32_t speed_mbps)
{
	struct nvsp_link m;

	put_header(&m, sizeof(m), NVSP_LINK, sizeof(m));
	m.up = up;
	m.speed_mbps = speed_mbps;
	return emit(buf, cap, &m, sizeof(m));
}

int nvsp_encode_frame(void *buf, size_t cap, const void *frame, size_t frame_len)
{
	struct nvsp_frame m;
	size_t size = sizeof(m) + frame_len;

	if (!frame || frame_len < NVSP_FRAME_MIN || frame_len > NVSP_FRAME_MAX)
		return -EINVAL;
	if (!buf || cap < size)
		return -ENOSPC;
	put_header(&m, sizeof(m), NVSP_FRAME, size);
	m.frame_len = (uint16_t)frame_len;
	memcpy(buf, &m, sizeof(m));
	memcpy((uint8_t *)buf + sizeof(m), frame, frame_len);
	return (int)size;
}

int nvsp_encode_vf_associate(void *buf, size_t cap, bool associated, uint32_t serial, uint32_t bdf,
			     const uint8_t mac[NVSP_ETH_ALEN])
{
	struct nvsp_vf_associate m;

	if (bdf > 0xffff || (associated && (!mac || !mac_unicast(mac))))
		return -EINVAL;
	put_header(&m, sizeof(m), NVSP_VF_ASSOCIATE, sizeof(m));
	m.serial = serial;
	m.bdf = bdf;
	if (mac)
		memcpy(m.mac, mac, NVSP_ETH_ALEN);
	m.associated = associated;
	return emit(buf, cap, &m, sizeof(m));
}

int nvsp_encode_switch(void *buf, size_t cap, uint32_t request_id, enum nvsp_path path)
{
	struct nvsp_switch_datapath m;

	if (path != NVSP_PATH_SYNTHETIC && path != NVSP_PATH_VF)
		return -EINVAL;
	put_header(&m, sizeof(m), NVSP_SWITCH_DATAPATH, sizeof(m));
	m.request_id = request_id;
	m.path = (uint8_t)path;
	return emit(buf, cap, &m, sizeof(m));
}

int nvsp_encode_switch_ack(void *buf, size_t cap, uint32_t request_id, int32_t status,
			   enum nvsp_path path)
{
	struct nvsp_switch_ack m;

	if (status > 0 || (path != NVSP_PATH_SYNTHETIC && path != NVSP_PATH_VF))
		return -EINVAL;
	put_header(&m, sizeof(m), NVSP_SWITCH_ACK, sizeof(m));
	m.request_id = request_id;
	m.status = status;
	m.path = (uint8_t)path;
	return emit(buf, cap, &m, sizeof(m));
}

int nvsp_encode_stats_req(void *buf, size_t cap, uint32_t request_id)
{
	struct nvsp_stats_req m;

	put_header(&m, sizeof(m), NVSP_STATS_REQ, sizeof(m));
	m.request_id = request_id;
	return emit(buf, cap, &m, sizeof(m));
}

int nvsp_encode_stats_reply(void *buf, size_t cap, uint32_t request_id,
			    const struct nvsp_stats *stats)
{
	struct nvsp_stats_reply m;

	if (!stats)
		return -EINVAL;
	put_header(&m, sizeof(m), NVSP_STATS_REPLY, sizeof(m));
	m.request_id = request_id;
	memcpy(&m.stats, stats, sizeof(m.stats));
	return emit(buf, cap, &m, sizeof(m));
}

/* --- Batches ------------------------------------------------------------ */

int nvsp_batch_begin(struct nvsp_batch_builder *b, void *buf, size_t cap)
{
	size_t max = MIN(cap, (size_t)NVSP_MSG_MAX);

	if (!buf || max < sizeof(struct nvsp_batch) + entry_size(NVSP_FRAME_MIN))
		return -ENOSPC;
	*b = (struct nvsp_batch_builder){
	    .buf = buf, .cap = (uint32_t)max, .len = sizeof(struct nvsp_batch)};
	return 0;
}

int nvsp_batch_add(struct nvsp_batch_builder *b, const void *frame, size_t len)
{
	struct nvsp_batch_entry e = {.len = (uint16_t)len};
	uint32_t size;

	if (!frame || len < NVSP_FRAME_MIN || len > NVSP_FRAME_MAX)
		return -EINVAL;
	if (b->count >= NVSP_BATCH_MAX)
		return -E2BIG;
	size = entry_size(e.len);
	if (size > b->cap - b->len)
		return -ENOSPC;
	memset(b->buf + b->len, 0, size);
	memcpy(b->buf + b->len, &e, sizeof(e));
	memcpy(b->buf + b->len + sizeof(e), frame, len);
	b->len += size;
	b->count++;
	return 0;
}

int nvsp_batch_finish(struct nvsp_batch_builder *b)
{
	struct nvsp_batch m;

	if (b->count == 0)
		return -ENODATA;
	put_header(&m, sizeof(m), NVSP_FRAME_BATCH, b->len);
	m.count = b->count;
	memcpy(b->buf, &m, sizeof(m));
	return (int)b->len;
}

void nvsp_batch_iter_init(struct nvsp_batch_iter *it, const struct nvsp_msg *msg)
{
	*it = (struct nvsp_batch_iter){0};
	if (msg->type != NVSP_FRAME_BATCH)
		return;
	it->pos = msg->u.batch.entries;
	it->end = msg->u.batch.entries + msg->u.batch.bytes;
	it->left = msg->u.batch.count;
}

bool nvsp_batch_next(struct nvsp_batch_iter *it, const uint8_t **frame, uint16_t *len)
{
	int size;

	if (it->left == 0 || !it->pos)
		return false;
	size = check_entry(it->pos, (uint32_t)(it->end - it->pos), NULL);
	if (size < 0) {
		it->left = 0;
		return false;
	}
	memcpy(len, it->pos, sizeof(*len));
	*frame = it->pos + sizeof(struct nvsp_batch_entry);
	it->pos += size;
	it->left--;
	return true;
}
