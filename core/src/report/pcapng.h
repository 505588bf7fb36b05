/* pcapng.h — a pcapng (PCAP Next Generation) file writer for `sg17tb run --trace`: one section
 * header, one interface per link type used, and enhanced packet blocks with a per-packet comment.
 * Timestamps in microseconds (the virtual clock's grain). The format: IETF draft
 * draft-ietf-opsawg-pcapng (block types 0x0A0D0D0A, 1, 6; options shb_userappl, if_name,
 * if_tsresol, opt_comment). Written in the host's byte order, which the byte-order magic states. */
#ifndef SG17_REPORT_PCAPNG_H
#define SG17_REPORT_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/diag.h"

/* Link types used by the trace (tcpdump.org link-layer header types). */
#define SG17_LINKTYPE_ETHERNET        1
#define SG17_LINKTYPE_RAW             101 /* raw IPv4/IPv6 */
#define SG17_LINKTYPE_WIRESHARK_UPPER 252 /* exported PDU: tags, then the PDU */

/* Exported-PDU tags (Wireshark's epan/exported_pdu.h): each tag is a big-endian u16 type, a
 * big-endian u16 length, then the value; tag 0 ends the list. */
#define SG17_EXP_PDU_END      0
#define SG17_EXP_PDU_PROTO    12 /* the dissector to call on the PDU, by name ("data") */
#define SG17_EXP_PDU_IPV4_SRC 20 /* 4 bytes: the Source column */
#define SG17_EXP_PDU_IPV4_DST 21 /* 4 bytes: the Destination column */
#define SG17_EXP_PDU_COL_PROT 33 /* the Protocol column's text */

typedef struct sg17_pcapng sg17_pcapng_t;

/* Creates path and writes the section header (application: "sg17tb <version>"). NULL with err
 * set when the file cannot be created. */
sg17_pcapng_t *sg17_pcapng_open(const char *path, const char *application, sg17_err_t *err);
/* Writes one packet of the given link type at ts_us microseconds since the epoch, with an
 * optional UTF-8 comment (NULL: none). The interface of a link type is declared on first use.
 * Returns 0 / -1 (write error, too many link types). */
int sg17_pcapng_packet(sg17_pcapng_t *w, uint16_t linktype, uint64_t ts_us, const uint8_t *data,
                       size_t len, const char *comment);
/* Flushes and closes; returns 0 / -1 with err set when any write failed. Frees w. */
int sg17_pcapng_close(sg17_pcapng_t *w, sg17_err_t *err);

/* Appends an exported-PDU tag to buf (at *len, capacity cap); returns 0 / -1 when it does not
 * fit. The value is padded to 4 bytes as Wireshark writes it. */
int sg17_exp_pdu_tag(uint8_t *buf, size_t cap, size_t *len, uint16_t tag, const void *value,
                     size_t value_len);

#endif
