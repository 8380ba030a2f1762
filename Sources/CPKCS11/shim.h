// The PKCS#11 (Cryptoki) types and constants, and nothing to link: the module is loaded with dlopen at
// run time (`[ocsp] pkcs11_module`), so the responder neither links nor requires any PKCS#11 library.
// pkcs11.h is p11-kit's (Debian's libp11-kit-dev, /usr/include/p11-kit-1/p11-kit/pkcs11.h), vendored
// unchanged under its own notice ("unlimited permission to copy and/or distribute it"): it defines the
// platform macros (CK_PTR, CK_DEFINE_FUNCTION, ...) itself and declares CKM_EDDSA (PKCS#11 3.0).
#include <dlfcn.h>
#include "pkcs11.h"
