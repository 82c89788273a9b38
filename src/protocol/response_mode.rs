//! Response modes of the authorization endpoint.

super::vocabulary! {
    /// How the authorization response travels to the client: in the redirect's query (the
    /// default of `response_type=code`, OAuth 2.0 Multiple Response Type Encoding Practices
    /// §2.1) or as a form the browser POSTs to it (OAuth 2.0 Form Post Response Mode §2).
    #[derive(Default)]
    ResponseMode, "response mode" {
        #[default]
        Query = "query",
        FormPost = "form_post",
    }
}
