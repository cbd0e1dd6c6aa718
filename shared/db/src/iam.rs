//! Connections to RDS Proxy with IAM authentication: a fresh auth token (signed locally with SigV4, no
//! network call) for every new physical connection, over TLS (rustls with the `ring` provider).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_rds::auth_token::{AuthTokenGenerator, Config as TokenConfig};
use deadpool_postgres::Connect;
use tokio::task::JoinHandle;
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::iam_target::IamTarget;

/// Signs RDS IAM auth tokens. Tokens are valid for at most 15 minutes; they are only needed to open a
/// connection, never after.
#[derive(Clone)]
pub struct TokenSigner {
    generator: Arc<AuthTokenGenerator>,
    sdk: SdkConfig,
}

impl TokenSigner {
    /// A signer with credentials from the Lambda environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`).
    pub async fn from_environment(
        target: &IamTarget,
    ) -> Result<Self, aws_sdk_rds::error::BoxError> {
        let credentials = aws_config::environment::EnvironmentVariableCredentialsProvider::new();
        Self::with_credentials(target, credentials).await
    }

    /// A signer with the given credentials (tests use static ones).
    pub async fn with_credentials(
        target: &IamTarget,
        credentials: impl aws_credential_types::provider::ProvideCredentials + 'static,
    ) -> Result<Self, aws_sdk_rds::error::BoxError> {
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(target.region.clone()))
            .credentials_provider(credentials)
            .load()
            .await;
        let config = TokenConfig::builder()
            .hostname(&target.host)
            .port(u64::from(target.port))
            .username(&target.user)
            .region(Region::new(target.region.clone()))
            .expires_in(900)
            .build()?;
        Ok(Self {
            generator: Arc::new(AuthTokenGenerator::new(config)),
            sdk,
        })
    }

    /// A token to use as the password of one new connection.
    pub async fn token(&self) -> Result<String, aws_sdk_rds::error::BoxError> {
        Ok(self
            .generator
            .auth_token(&self.sdk)
            .await?
            .as_str()
            .to_owned())
    }
}

type ConnectResult = Result<(tokio_postgres::Client, JoinHandle<()>), tokio_postgres::Error>;

/// deadpool-postgres' hook for opening a physical connection: sign a token, then connect over TLS.
pub(crate) struct IamConnect {
    pub(crate) signer: TokenSigner,
    pub(crate) tls: MakeRustlsConnect,
}

impl Connect for IamConnect {
    fn connect(
        &self,
        pg_config: &tokio_postgres::Config,
    ) -> Pin<Box<dyn Future<Output = ConnectResult> + Send + '_>> {
        let mut config = pg_config.clone();
        Box::pin(async move {
            match self.signer.token().await {
                Ok(token) => {
                    config.password(token);
                }
                // Signing is local and only fails without credentials; the server then refuses the
                // connection, and the reason is here in the log.
                Err(error) => tracing::error!(%error, "could not sign an RDS IAM auth token"),
            }
            let (client, connection) = config.connect(self.tls.clone()).await?;
            let handle = tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::warn!(%error, "database connection closed with an error");
                }
            });
            Ok((client, handle))
        })
    }
}

/// TLS for RDS Proxy: Mozilla's root certificates (which include Amazon's) and the `ring` crypto provider,
/// chosen explicitly so no process-wide default is needed.
pub(crate) fn rds_tls() -> MakeRustlsConnect {
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    MakeRustlsConnect::new(config)
}

/// The `tokio_postgres` settings for an IAM connection (the password comes per connection).
pub(crate) fn pg_config(target: &IamTarget) -> tokio_postgres::Config {
    let mut config = tokio_postgres::Config::new();
    config
        .host(&target.host)
        .port(target.port)
        .dbname(&target.database)
        .user(&target.user)
        .ssl_mode(SslMode::Require)
        .application_name("community-marketplace");
    config
}

#[cfg(test)]
mod tests {
    use aws_credential_types::Credentials;

    use super::*;

    #[tokio::test]
    async fn signs_a_connect_token_offline_with_static_credentials() {
        let target = IamTarget {
            host: "marketplace.proxy-abc123.eu-west-1.rds.amazonaws.com".into(),
            port: 5432,
            database: "marketplace".into(),
            user: "marketplace_app".into(),
            region: "eu-west-1".into(),
        };
        let credentials = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        );
        let signer = TokenSigner::with_credentials(&target, credentials)
            .await
            .unwrap();
        let token = signer.token().await.unwrap();

        let (authority, query) = token.split_once("/?").expect("host:port/?query");
        assert_eq!(
            authority,
            "marketplace.proxy-abc123.eu-west-1.rds.amazonaws.com:5432"
        );
        let params: Vec<(&str, &str)> =
            query.split('&').filter_map(|p| p.split_once('=')).collect();
        let param = |name: &str| params.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        assert_eq!(param("Action"), Some("connect"));
        assert_eq!(param("DBUser"), Some("marketplace_app"));
        assert_eq!(param("X-Amz-Algorithm"), Some("AWS4-HMAC-SHA256"));
        let credential = param("X-Amz-Credential").unwrap();
        assert!(
            credential.starts_with("AKIDEXAMPLE%2F")
                && credential.ends_with("%2Feu-west-1%2Frds-db%2Faws4_request")
        );
        let expires: u64 = param("X-Amz-Expires").unwrap().parse().unwrap();
        assert!(expires <= 900, "{expires}");
        assert_eq!(param("X-Amz-Signature").map(str::len), Some(64));
        assert!(
            !token.starts_with("https://"),
            "the token is the URL without its scheme"
        );

        let second = signer.token().await.unwrap();
        assert!(
            second.starts_with(authority),
            "a fresh token per connection, for the same endpoint"
        );
    }
}
