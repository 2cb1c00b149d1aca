//! A certificate authority generated at test time for TLS federation between test homeservers.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

use crate::error::Result;
use crate::homeserver::FederationTls;

/// A fresh CA; its key lives only in this process.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl TestCa {
    /// Generates a new CA key and self-signed certificate.
    pub fn new() -> Result<Self> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "msc4268 scenario CA");
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        Ok(Self {
            issuer: CertifiedIssuer::self_signed(params, KeyPair::generate()?)?,
        })
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for `hostname` (its SAN), with the CA's certificate and the ranges
    /// federation may reach.
    pub fn server(&self, hostname: &str, allowed_ranges: Vec<String>) -> Result<FederationTls> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(vec![hostname.to_owned()])?;
        params.distinguished_name.push(DnType::CommonName, hostname);
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(FederationTls {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            ca_pem: self.cert_pem(),
            allowed_ranges,
        })
    }
}
