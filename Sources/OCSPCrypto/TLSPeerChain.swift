internal import COpenSSL

/// The certificate chain a TLS server presents, for `check --host`: a TLS handshake (with SNI) on a
/// connected socket, then the certificates as sent, leaf first.
///
/// The server's certificate is not verified here: the point is to learn which certificate it serves and
/// ask that certificate's OCSP responder about it; the OCSP response is what gets verified.
package enum TLSPeerChain {
    /// Runs the handshake on `socket` (connected, with its timeouts set) and returns each certificate's DER.
    /// `serverName` goes in SNI unless it is nil (an IP address has no SNI, RFC 6066 §3).
    package static func fetch(socket: Int32, serverName: String?) throws -> [[UInt8]] {
        OpenSSLLibrary.initialize()
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw OpenSSLError("SSL_CTX_new") }
        defer { SSL_CTX_free(context) }
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        guard let ssl = SSL_new(context) else { throw OpenSSLError("SSL_new") }
        defer { SSL_free(ssl) }
        guard SSL_set_fd(ssl, socket) == 1 else { throw OpenSSLError("SSL_set_fd") }
        if let serverName {
            guard shim_SSL_set_tlsext_host_name(ssl, serverName) == 1 else { throw OpenSSLError("setting the server name (SNI)") }
        }
        guard SSL_connect(ssl) == 1 else { throw OpenSSLError("the TLS handshake") }
        defer { SSL_shutdown(ssl) }
        guard let stack = SSL_get_peer_cert_chain(ssl) else { throw OpenSSLError("the server sent no certificate") }
        let generic = stack
        var chain: [[UInt8]] = []
        for index in 0..<OPENSSL_sk_num(generic) {
            guard let raw = OPENSSL_sk_value(generic, index) else { continue }
            let certificate = OpaquePointer(raw)
            let length = i2d_X509(certificate, nil)
            guard length > 0 else { continue }
            var der = [UInt8](repeating: 0, count: Int(length))
            der.withUnsafeMutableBufferPointer { buffer in
                var cursor = buffer.baseAddress
                _ = i2d_X509(certificate, &cursor)
            }
            chain.append(der)
        }
        guard !chain.isEmpty else { throw OpenSSLError("the server sent no certificate") }
        return chain
    }
}
