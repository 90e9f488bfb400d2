/* SPDX-License-Identifier: MIT */
/* A freestanding guest for rove-vmm's tests: entered through the same 64-bit Linux boot entry as
 * a kernel, it exercises every device and reports on the serial console, then ends the VM the
 * way the command line asks (microguest.mode=reset|halt|wait|echo|triplefault); with
 * microguest.udp=PORT it also sends a DNS query to 10.0.2.3 and a datagram to the host's PORT
 * through 10.0.2.2, and reports the replies. Kept small: guest code may run emulated at about a
 * million instructions per second. */
#include <stddef.h>
#include <stdint.h>

#define COM1               0x3f8
#define I8042_DATA         0x60
#define I8042_STATUS       0x64
#define CMDLINE_PTR_OFFSET 0x228

#define VIRTIO_MAGIC       0x74726976
#define STATUS_ACK         1
#define STATUS_DRIVER      2
#define STATUS_DRIVER_OK   4
#define STATUS_FEATURES_OK 8
#define DESC_F_NEXT        1
#define DESC_F_WRITE       2
#define QUEUE_SIZE         8

__asm__(".section .text.start\n"
        ".global _start\n"
        "_start:\n"
        "  lea stack_top(%rip), %rsp\n"
        "  mov %rsi, %rdi\n"
        "  call guest_main\n"
        "1: cli\n"
        "  hlt\n"
        "  jmp 1b\n"
        ".previous\n");

static uint8_t stack[16384] __attribute__((aligned(16), used));
__asm__(".set stack_top, stack + 16384");

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void putc_serial(char c)
{
    while (!(inb(COM1 + 5) & 0x20))
        ;
    outb(COM1, (uint8_t)c);
}

static void puts_serial(const char *s)
{
    while (*s)
        putc_serial(*s++);
}

static void put_hex(uint64_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--)
        putc_serial("0123456789abcdef"[(v >> (i * 4)) & 0xf]);
}

static void put_dec(uint64_t v)
{
    char buf[24];
    int n = 0;
    do
        buf[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 23);
    while (n > 0)
        putc_serial(buf[--n]);
}

static void *memset_guest(void *dst, int c, size_t n)
{
    volatile uint8_t *d = dst;
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

static void memcpy_guest(void *dst, const void *src, size_t n)
{
    volatile uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--)
        *d++ = *s++;
}

static int memeq(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

/* ---- virtio-mmio ---- */

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct queue {
    struct desc desc[QUEUE_SIZE] __attribute__((aligned(4096)));
    struct {
        uint16_t flags, idx, ring[QUEUE_SIZE], used_event;
    } avail __attribute__((aligned(4096)));
    struct {
        uint16_t flags, idx;
        struct {
            uint32_t id, len;
        } ring[QUEUE_SIZE];
        uint16_t avail_event;
    } used __attribute__((aligned(4096)));
    uint16_t last_used;
    uintptr_t base;
    int index;
};

static struct queue blk_queue, rx_queue, tx_queue, rng_queue;

static volatile uint32_t *reg(uintptr_t base, uint32_t off)
{
    return (volatile uint32_t *)(base + off);
}

static int device_begin(uintptr_t base)
{
    *reg(base, 0x70) = 0;
    *reg(base, 0x70) = STATUS_ACK | STATUS_DRIVER;
    *reg(base, 0x14) = 1;
    if (!(*reg(base, 0x10) & 1))
        return -1; /* no VIRTIO_F_VERSION_1 */
    *reg(base, 0x24) = 0;
    *reg(base, 0x20) = 0;
    *reg(base, 0x24) = 1;
    *reg(base, 0x20) = 1;
    *reg(base, 0x70) = STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK;
    return (*reg(base, 0x70) & STATUS_FEATURES_OK) ? 0 : -1;
}

static void queue_setup(struct queue *q, uintptr_t base, int index)
{
    q->base = base;
    q->index = index;
    q->last_used = 0;
    *reg(base, 0x30) = (uint32_t)index;
    *reg(base, 0x38) = QUEUE_SIZE;
    *reg(base, 0x80) = (uint32_t)(uintptr_t)q->desc;
    *reg(base, 0x84) = 0;
    *reg(base, 0x90) = (uint32_t)(uintptr_t)&q->avail;
    *reg(base, 0x94) = 0;
    *reg(base, 0xa0) = (uint32_t)(uintptr_t)&q->used;
    *reg(base, 0xa4) = 0;
    *reg(base, 0x44) = 1;
}

static void device_ready(uintptr_t base)
{
    *reg(base, 0x70) = STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK;
}

static void queue_submit(struct queue *q, uint16_t head)
{
    volatile uint16_t *idx = &q->avail.idx;
    q->avail.ring[*idx % QUEUE_SIZE] = head;
    __asm__ volatile("" ::: "memory");
    *idx = (uint16_t)(*idx + 1);
    *reg(q->base, 0x50) = (uint32_t)q->index;
}

/* Waits for the next used element; returns its length, or -1 after a while. */
static int64_t queue_wait(struct queue *q)
{
    volatile uint16_t *used_idx = &q->used.idx;
    for (uint32_t spins = 0; *used_idx == q->last_used; spins++)
        if (spins > 2000000)
            return -1;
    uint32_t len = q->used.ring[q->last_used % QUEUE_SIZE].len;
    q->last_used++;
    *reg(q->base, 0x64) = *reg(q->base, 0x60); /* acknowledge the interrupt */
    return len;
}

/* ---- virtio-blk ---- */

struct blk_header {
    uint32_t type, reserved;
    uint64_t sector;
};

static struct blk_header blk_hdr;
static uint8_t blk_data[512];
static volatile uint8_t blk_status;

static int blk_request(uint32_t type, uint64_t sector, int to_device)
{
    blk_hdr.type = type;
    blk_hdr.sector = sector;
    blk_status = 0xff;
    struct desc *d = blk_queue.desc;
    d[0] = (struct desc){(uintptr_t)&blk_hdr, sizeof blk_hdr, DESC_F_NEXT, 1};
    if (type == 4) {
        d[0].next = 2; /* flush: no data buffer */
    } else {
        d[1] = (struct desc){(uintptr_t)blk_data, 512, DESC_F_NEXT | (to_device ? 0 : DESC_F_WRITE),
                             2};
    }
    d[2] = (struct desc){(uintptr_t)&blk_status, 1, DESC_F_WRITE, 0};
    queue_submit(&blk_queue, 0);
    if (queue_wait(&blk_queue) < 0)
        return -1;
    return blk_status;
}

static void test_blk(uintptr_t base, int unit)
{
    static const char pattern[] = "ROVE-MICROGUEST-WROTE-THIS";
    if (device_begin(base) < 0) {
        puts_serial("blk: feature negotiation failed\n");
        return;
    }
    queue_setup(&blk_queue, base, 0);
    device_ready(base);
    uint64_t capacity = *reg(base, 0x100) | (uint64_t)*reg(base, 0x104) << 32;
    puts_serial("blk");
    put_dec((uint64_t)unit);
    puts_serial(": capacity ");
    put_dec(capacity);
    int status = blk_request(0, 0, 0);
    puts_serial(" read status=");
    put_dec((uint64_t)status);
    puts_serial(" sector0=");
    for (int i = 0; i < 18 && blk_data[i] >= 0x20 && blk_data[i] < 0x7f; i++)
        putc_serial((char)blk_data[i]);
    memset_guest(blk_data, 0, sizeof blk_data);
    memcpy_guest(blk_data, pattern, sizeof pattern);
    puts_serial(" write status=");
    put_dec((uint64_t)blk_request(1, 1, 1));
    puts_serial(" flush status=");
    put_dec((uint64_t)blk_request(4, 0, 0));
    memset_guest(blk_data, 0, sizeof blk_data);
    status = blk_request(0, 1, 0);
    puts_serial(" readback=");
    puts_serial(status == 0 && memeq(blk_data, pattern, sizeof pattern) ? "same" : "different");
    puts_serial(" beyond-end status=");
    put_dec((uint64_t)blk_request(0, capacity, 0));
    puts_serial("\n");
}

/* ---- virtio-net: an ARP request for the gateway, answered by slirp ---- */

static uint8_t rx_buffers[4][2048];
static uint8_t gateway_mac[6], guest_mac[6];
static int gateway_known;
static uint8_t tx_frame[12 + 42];

static void test_net(uintptr_t base)
{
    if (device_begin(base) < 0) {
        puts_serial("net: feature negotiation failed\n");
        return;
    }
    queue_setup(&rx_queue, base, 0);
    queue_setup(&tx_queue, base, 1);
    device_ready(base);
    uint8_t mac[6];
    for (int i = 0; i < 6; i++)
        mac[i] = *(volatile uint8_t *)(base + 0x100 + (uintptr_t)i);
    for (uint16_t i = 0; i < 4; i++) {
        rx_queue.desc[i] = (struct desc){(uintptr_t)rx_buffers[i], 2048, DESC_F_WRITE, 0};
        rx_queue.avail.ring[i] = i;
    }
    rx_queue.avail.idx = 4;
    *reg(base, 0x50) = 0;

    uint8_t *f = tx_frame + 12; /* after the virtio-net header */
    static const uint8_t arp_head[] = {0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1};
    memset_guest(f, 0xff, 6);
    memcpy_guest(f + 6, mac, 6);
    memcpy_guest(f + 12, arp_head, sizeof arp_head);
    memcpy_guest(f + 22, mac, 6);
    static const uint8_t ips[] = {10, 0, 2, 15, 0, 0, 0, 0, 0, 0, 10, 0, 2, 2};
    memcpy_guest(f + 28, ips, sizeof ips);
    tx_queue.desc[0] = (struct desc){(uintptr_t)tx_frame, sizeof tx_frame, 0, 0};
    queue_submit(&tx_queue, 0);
    queue_wait(&tx_queue);

    int64_t len = queue_wait(&rx_queue);
    const uint8_t *r =
        rx_buffers[rx_queue.used.ring[(rx_queue.last_used - 1) % QUEUE_SIZE].id] + 12;
    puts_serial("net: mac ");
    put_hex(mac[5], 2);
    if (len < 12 + 42 || r[12] != 0x08 || r[13] != 0x06 || r[21] != 2) {
        puts_serial(" no ARP reply\n");
        return;
    }
    puts_serial(" arp reply from ");
    for (int i = 0; i < 4; i++) {
        put_dec(r[28 + i]);
        putc_serial(i < 3 ? '.' : ' ');
    }
    puts_serial("is-at ");
    for (int i = 0; i < 6; i++) {
        put_hex(r[22 + i], 2);
        if (i < 5)
            putc_serial(':');
    }
    puts_serial("\n");
    memcpy_guest(gateway_mac, r + 22, 6);
    memcpy_guest(guest_mac, mac, 6);
    gateway_known = 1;
}

/* ---- UDP through slirp: a DNS query to 10.0.2.3 and a datagram to the host at 10.0.2.2 ---- */

static uint8_t udp_frame[12 + 14 + 20 + 8 + 64];

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t ip_checksum(const uint8_t *header)
{
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += be16(header + i);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Sends payload from 10.0.2.15:src_port to dst:dst_port (UDP checksum 0: none, as IPv4 allows). */
static void udp_send(const uint8_t dst[4], uint16_t src_port, uint16_t dst_port,
                     const uint8_t *payload, uint16_t len)
{
    static const uint8_t guest_ip[4] = {10, 0, 2, 15};
    memset_guest(udp_frame, 0, sizeof udp_frame);
    uint8_t *e = udp_frame + 12, *ip = e + 14, *udp = ip + 20;
    memcpy_guest(e, gateway_mac, 6);
    memcpy_guest(e + 6, guest_mac, 6);
    put_be16(e + 12, 0x0800);
    ip[0] = 0x45;
    put_be16(ip + 2, (uint16_t)(20 + 8 + len));
    ip[8] = 64;
    ip[9] = 17;
    memcpy_guest(ip + 12, guest_ip, 4);
    memcpy_guest(ip + 16, dst, 4);
    put_be16(ip + 10, ip_checksum(ip));
    put_be16(udp, src_port);
    put_be16(udp + 2, dst_port);
    put_be16(udp + 4, (uint16_t)(8 + len));
    memcpy_guest(udp + 8, payload, len);
    tx_queue.desc[0] = (struct desc){(uintptr_t)udp_frame, 12 + 14 + 20 + 8 + len, 0, 0};
    queue_submit(&tx_queue, 0);
    queue_wait(&tx_queue);
}

/* The next received frame (after the virtio-net header), its buffer given back to the device at
 * the next call; NULL when none comes. */
static const uint8_t *rx_next(int64_t *len)
{
    static int pending = -1;
    if (pending >= 0)
        queue_submit(&rx_queue, (uint16_t)pending);
    *len = queue_wait(&rx_queue);
    if (*len < 12)
        return NULL;
    pending = (int)rx_queue.used.ring[(rx_queue.last_used - 1) % QUEUE_SIZE].id;
    *len -= 12;
    return rx_buffers[pending] + 12;
}

/* Prints one UDP reply: a DNS answer's address, or a datagram's text. */
static void report_udp(const uint8_t *f, int64_t len)
{
    const uint8_t *ip = f + 14, *udp = ip + (ip[0] & 0xf) * 4, *data = udp + 8;
    int64_t data_len = len - (data - f);
    if (be16(udp) == 53) {
        puts_serial("dns: rove.test is ");
        for (int i = 0; i < 4 && data_len >= 4; i++) {
            put_dec(data[data_len - 4 + i]);
            putc_serial(i < 3 ? '.' : '\n');
        }
        return;
    }
    puts_serial("udp: reply from port ");
    put_dec(be16(udp));
    puts_serial(" '");
    for (int64_t i = 0; i < data_len && data[i] >= 0x20 && data[i] < 0x7f; i++)
        putc_serial((char)data[i]);
    puts_serial("'\n");
}

static void test_udp(uint16_t host_port)
{
    static const uint8_t dns_server[4] = {10, 0, 2, 3}, host[4] = {10, 0, 2, 2};
    static const uint8_t query[] = {0x12, 0x34, 0x01, 0x00, 0,   1,   0,   0,   0, 0, 0, 0, 4, 'r',
                                    'o',  'v',  'e',  4,    't', 'e', 's', 't', 0, 0, 1, 0, 1};
    static const char ping[] = "ROVE-UDP-PING";
    udp_send(dns_server, 1053, 53, query, sizeof query);
    udp_send(host, 1054, host_port, (const uint8_t *)ping, sizeof ping - 1);
    int replies = 0;
    for (int frames = 0; replies < 2 && frames < 8; frames++) {
        int64_t len;
        const uint8_t *f = rx_next(&len);
        if (!f)
            break;
        if (len >= 14 + 20 + 8 && be16(f + 12) == 0x0800 && f[14 + 9] == 17) {
            report_udp(f, len);
            replies++;
        }
    }
    puts_serial("udp: ");
    put_dec((uint64_t)replies);
    puts_serial(" replies\n");
}

/* ---- virtio-rng ---- */

static uint8_t random_bytes[32];

static void test_rng(uintptr_t base)
{
    if (device_begin(base) < 0) {
        puts_serial("rng: feature negotiation failed\n");
        return;
    }
    queue_setup(&rng_queue, base, 0);
    device_ready(base);
    rng_queue.desc[0] =
        (struct desc){(uintptr_t)random_bytes, sizeof random_bytes, DESC_F_WRITE, 0};
    queue_submit(&rng_queue, 0);
    int64_t len = queue_wait(&rng_queue);
    int nonzero = 0;
    for (size_t i = 0; i < sizeof random_bytes; i++)
        nonzero += random_bytes[i] != 0;
    puts_serial("rng: ");
    put_dec(len < 0 ? 0 : (uint64_t)len);
    puts_serial(" bytes, ");
    put_dec((uint64_t)nonzero);
    puts_serial(" non-zero\n");
}

/* ---- command line ---- */

static const char *find(const char *s, const char *word)
{
    for (; *s; s++) {
        size_t i = 0;
        while (word[i] && s[i] == word[i])
            i++;
        if (!word[i])
            return s + i;
    }
    return NULL;
}

static uint64_t parse_hex(const char **p)
{
    uint64_t v = 0;
    for (;; (*p)++) {
        char c = **p;
        if (c >= '0' && c <= '9')
            v = v * 16 + (uint64_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (uint64_t)(c - 'a' + 10);
        else
            return v;
    }
}

/* Where the kernel's parameters end: as Linux does, everything after " -- " is for init. */
static const char *kernel_params_end(const char *cmdline)
{
    const char *dashes = find(cmdline, " -- ");
    if (dashes)
        return dashes - 4;
    const char *p = cmdline;
    while (*p)
        p++;
    return p;
}

static void test_devices(const char *cmdline)
{
    int disks = 0;
    const char *end = kernel_params_end(cmdline);
    for (const char *p = cmdline; (p = find(p, "virtio_mmio.device=4K@0x")) && p < end;) {
        uintptr_t base = (uintptr_t)parse_hex(&p);
        if (*reg(base, 0) != VIRTIO_MAGIC || *reg(base, 4) != 2) {
            puts_serial("virtio: bad magic or version at 0x");
            put_hex(base, 8);
            puts_serial("\n");
            continue;
        }
        switch (*reg(base, 8)) {
        case 1:
            test_net(base);
            break;
        case 2:
            test_blk(base, disks++);
            break;
        case 4:
            test_rng(base);
            break;
        default:
            puts_serial("virtio: unknown device\n");
            break;
        }
    }
}

/* Waits for Ctrl-Alt-Del from the keyboard controller (set 2: 14 11 e0 71), then resets. */
static void wait_for_ctrl_alt_del(void)
{
    static const uint8_t sequence[] = {0x14, 0x11, 0xe0, 0x71};
    size_t matched = 0;
    while (matched < sizeof sequence) {
        if (!(inb(I8042_STATUS) & 1)) {
            __asm__ volatile("pause");
            continue;
        }
        uint8_t code = inb(I8042_DATA);
        matched = code == sequence[matched] ? matched + 1 : (code == sequence[0]);
    }
    puts_serial("microguest: ctrl-alt-del\n");
}

/* Reports the initrd the monitor placed (boot_params ramdisk_image/size) and its first bytes. */
static void report_initrd(const uint8_t *boot_params)
{
    uint32_t addr = *(const uint32_t *)(boot_params + 0x218);
    uint32_t size = *(const uint32_t *)(boot_params + 0x21c);
    if (!size)
        return;
    const char *data = (const char *)(uintptr_t)addr;
    puts_serial("initrd: ");
    put_dec(size);
    puts_serial(" bytes at 0x");
    put_hex(addr, 8);
    puts_serial(" starting '");
    for (uint32_t i = 0; i < size && i < 16 && data[i] >= 0x20 && data[i] < 0x7f; i++)
        putc_serial(data[i]);
    puts_serial("'\n");
}

/* Echoes one line typed on the serial console (polling the line status register). */
static void echo_console_line(void)
{
    char line[64];
    size_t n = 0;
    puts_serial("microguest: type a line\n");
    for (;;) {
        if (!(inb(COM1 + 5) & 1)) {
            __asm__ volatile("pause");
            continue;
        }
        char c = (char)inb(COM1);
        if (c == '\r' || c == '\n' || n == sizeof line - 1)
            break;
        line[n++] = c;
    }
    line[n] = '\0';
    puts_serial("microguest: got '");
    puts_serial(line);
    puts_serial("'\n");
}

void guest_main(const uint8_t *boot_params)
{
    const char *cmdline =
        (const char *)(uintptr_t) * (const uint32_t *)(boot_params + CMDLINE_PTR_OFFSET);
    puts_serial("microguest: hello\n");
    report_initrd(boot_params);
    test_devices(cmdline);
    const char *udp_port = find(cmdline, "microguest.udp=");
    if (udp_port && gateway_known) {
        uint64_t port = 0;
        for (; *udp_port >= '0' && *udp_port <= '9'; udp_port++)
            port = port * 10 + (uint64_t)(*udp_port - '0');
        test_udp((uint16_t)port);
    }
    const char *mode = find(cmdline, "microguest.mode=");
    puts_serial("microguest: done\n");
    if (mode && mode[0] == 'h')
        return; /* _start halts with interrupts off */
    if (mode && mode[0] == 'w')
        wait_for_ctrl_alt_del();
    if (mode && mode[0] == 'e')
        echo_console_line();
    if (mode && mode[0] == 't') {
        /* An empty IDT turns the breakpoint into a triple fault: the CPU shuts down. */
        static const struct {
            uint16_t limit;
            uint64_t base;
        } __attribute__((packed)) empty_idt = {0, 0};
        __asm__ volatile("lidt %0; int3" : : "m"(empty_idt));
    }
    outb(I8042_STATUS, 0xfe); /* pulse the reset line */
    for (;;)
        __asm__ volatile("hlt");
}
