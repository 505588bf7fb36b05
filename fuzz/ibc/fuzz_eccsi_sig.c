/* fuzz_eccsi_sig.c — ECCSI verification (RFC 6507 §5.2.2) of arbitrary signatures: the input is
 * sig || message (any length); a mutation of a genuine signature must never verify. */
#include <stdint.h>
#include <string.h>

#include "crypto/eccsi.h"

static eccsi_verifier_t *verifier;
static eccsi_signer_t *signer;
static const uint8_t id[] = "2011-02\0tel:+447700900123";

static int setup(void)
{
    uint8_t ksak[ECCSI_N] = {0}, kpak[ECCSI_POINT_BYTES], ssk[ECCSI_N], pvt[ECCSI_POINT_BYTES];
    ksak[29] = 0x01, ksak[30] = 0x23, ksak[31] = 0x45; /* RFC 6507 Appendix A KSAK */
    if (eccsi_kms_kpak(ksak, kpak) || eccsi_kms_issue(ksak, id, sizeof id, NULL, ssk, pvt, NULL))
        return -1;
    verifier = eccsi_verifier_new(kpak);
    signer = eccsi_signer_new(kpak, id, sizeof id, ssk, pvt);
    return verifier && signer ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!verifier && setup() != 0)
        __builtin_trap();
    size_t sig_len = size < ECCSI_SIG_BYTES ? size : ECCSI_SIG_BYTES;
    /* 1: the raw input as signature || message */
    (void)eccsi_verifier_verify(verifier, id, sizeof id, data + sig_len, size - sig_len, data,
                                sig_len);
    /* 2: a genuine signature of the input with the input's bytes XORed in must be rejected */
    if (size > 0) {
        uint8_t sig[ECCSI_SIG_BYTES], forged[ECCSI_SIG_BYTES];
        if (eccsi_signer_sign(signer, data, size, NULL, sig) != 0
            || eccsi_verifier_verify(verifier, id, sizeof id, data, size, sig, sizeof sig) != 0)
            __builtin_trap();
        memcpy(forged, sig, sizeof sig);
        int changed = 0;
        for (size_t i = 0; i < sig_len; i++) {
            forged[i] ^= data[i];
            changed |= data[i];
        }
        if (changed
            && eccsi_verifier_verify(verifier, id, sizeof id, data, size, forged, sizeof forged)
                   == 0)
            __builtin_trap();
    }
    return 0;
}
