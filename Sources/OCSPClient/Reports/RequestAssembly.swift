import OCSPWire
extension OCSPRequest {
    /// An unsigned v1 request asking about `certIDs`, in order, with a nonce extension when `nonce` is given
    /// (RFC 6960 §4.1.1; the nonce wrapped as RFC 9654 §2.1 says). No requestorName: nobody signs it.
    package init(certIDs: [CertID], nonce: [UInt8]?) {
        let extensions = nonce.map { Extensions([OCSPDocument.nonceExtension($0)]) }
        self.init(tbsRequest: TBSRequest(requestList: certIDs.map { Request(certID: $0) }, requestExtensions: extensions))
    }
}
