//! How domain values stored as text cross the database boundary.

/// `FromSql`/`ToSql` for a type stored as text: a text column or a DOMAIN over text (a domain reads as its
/// base type). Text the type does not parse is an error, never a default.
macro_rules! text_column {
    ($ty:ty, |$value:ident| $as_text:expr) => {
        impl<'a> tokio_postgres::types::FromSql<'a> for $ty {
            fn from_sql(
                ty: &tokio_postgres::types::Type,
                raw: &'a [u8],
            ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
                let text = <&str as tokio_postgres::types::FromSql>::from_sql(ty, raw)?;
                text.parse::<$ty>().map_err(|error| {
                    format!("{text:?} is not a {}: {error}", stringify!($ty)).into()
                })
            }

            fn accepts(ty: &tokio_postgres::types::Type) -> bool {
                <&str as tokio_postgres::types::FromSql>::accepts(ty)
            }
        }

        impl tokio_postgres::types::ToSql for $ty {
            fn to_sql(
                &self,
                ty: &tokio_postgres::types::Type,
                out: &mut bytes::BytesMut,
            ) -> Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
            {
                let $value = self;
                let text = $as_text;
                <&str as tokio_postgres::types::ToSql>::to_sql(
                    &AsRef::<str>::as_ref(&text),
                    ty,
                    out,
                )
            }

            fn accepts(ty: &tokio_postgres::types::Type) -> bool {
                <&str as tokio_postgres::types::ToSql>::accepts(ty)
            }

            tokio_postgres::types::to_sql_checked!();
        }

        impl $crate::foundation::statement::Param for $ty {
            const TYPE: tokio_postgres::types::Type = tokio_postgres::types::Type::TEXT;
        }
    };
}
pub(crate) use text_column;
