internal import CPKCS11
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A PKCS#11 module (`[ocsp] pkcs11_module`), loaded with `dlopen`: owns the handle and the function
/// list, initialises Cryptoki on first use and finalises it in deinit.
///
/// Loading (`dlopen`, `C_GetFunctionList`) happens at start-up, so a wrong path is a config error; the
/// token is first touched (`C_Initialize`) when the first response is signed, after the process has
/// dropped to the service user, so a file-backed token (SoftHSM) is read and written as that user.
///
/// One per module file per process (`shared(path:)`): PKCS#11 allows one `C_Initialize` per process, and
/// every CA signing through the same module shares it.
package final class PKCS11Module: @unchecked Sendable {
    // @unchecked Sendable: `handle` and `functions` are immutable; `initialized` is behind a Mutex; the
    // module itself is initialised with CKF_OS_LOCKING_OK, so it may be called from any thread.
    package let path: String
    private let handle: UnsafeMutableRawPointer
    let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>
    /// nil: not yet initialised; true: we initialised it and finalise it; false: someone else had.
    private let initialized = Mutex<Bool?>(nil)

    private static let loaded = Mutex<[String: Weak]>([:])
    private struct Weak { weak var module: PKCS11Module? }

    /// The module at `path`, loaded once per process while anything uses it.
    package static func shared(path: String) throws(PKCS11Error) -> PKCS11Module {
        try loaded.withLock { loaded throws(PKCS11Error) -> PKCS11Module in
            if let module = loaded[path]?.module { return module }
            let module = try PKCS11Module(path: path)
            loaded[path] = Weak(module: module)
            return module
        }
    }

    private init(path: String) throws(PKCS11Error) {
        guard path.hasPrefix("/") else { throw PKCS11Error(.module, "the PKCS#11 module must be an absolute path, not \(path)") }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw PKCS11Error(.module, "cannot use the PKCS#11 module \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw PKCS11Error(.module, "the PKCS#11 module \(path) is not a regular file") }
        // The responder runs this file's code, as root at start-up: nobody but its owner may change it.
        guard info.st_mode & 0o022 == 0 else {
            throw PKCS11Error(.module, "the PKCS#11 module \(path) can be written by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); fix with: chmod go-w \(path)")
        }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PKCS11Error(.module, "cannot load the PKCS#11 module: \(reason)")
        }
        guard let symbol = dlsym(handle, "C_GetFunctionList") else {
            dlclose(handle)
            throw PKCS11Error(.module, "\(path) is not a PKCS#11 module (no C_GetFunctionList)")
        }
        let getFunctionList = unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<CK_FUNCTION_LIST>?>?) -> CK_RV).self)
        var list: UnsafeMutablePointer<CK_FUNCTION_LIST>?
        let rv = getFunctionList(&list)
        guard rv == CKR_OK, let list else {
            dlclose(handle)
            throw PKCS11Error(.module, "\(path): C_GetFunctionList failed: \(PKCS11Error.name(rv))")
        }
        self.path = path
        self.handle = handle
        self.functions = list
    }

    deinit {
        if initialized.withLock({ $0 }) == true, let finalize = functions.pointee.C_Finalize {
            _ = finalize(nil)
        }
        dlclose(handle)
    }

    /// `C_Initialize` with the operating system's locking, once; later calls return at once.
    /// A failure is not remembered: a token daemon that was down may be up at the next request.
    func initialize() throws(PKCS11Error) {
        try initialized.withLock { state throws(PKCS11Error) in
            if state != nil { return }
            guard let initialize = functions.pointee.C_Initialize else { throw PKCS11Error(.module, "\(path) has no C_Initialize") }
            var arguments = CK_C_INITIALIZE_ARGS()
            arguments.flags = CK_FLAGS(CKF_OS_LOCKING_OK)
            let rv = withUnsafeMutablePointer(to: &arguments) { initialize(UnsafeMutableRawPointer($0)) }
            switch rv {
            case CK_RV(CKR_OK): state = true
            case CK_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED): state = false
            default: throw PKCS11Error(call: "C_Initialize", rv: rv)
            }
        }
    }

    /// Calls a function of the list, or fails with CKR_FUNCTION_NOT_SUPPORTED when the module lacks it.
    func call<Function>(_ name: String, _ function: Function?, _ body: (Function) -> CK_RV) throws(PKCS11Error) {
        guard let function else { throw PKCS11Error(.other, "\(path) does not provide \(name)") }
        let rv = body(function)
        guard rv == CKR_OK else { throw PKCS11Error(call: name, rv: rv) }
    }
}
