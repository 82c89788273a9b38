# `usher device`（ターミナルのデバイスクライアント）。QR コードの横に並ぶ行は 44 桁（全角 22 文字）まで。

## デバイスが待っている間。
cli-scan = スマートフォンで QR コードを読み取るか、
cli-or-open = 次のアドレスを開いて
cli-and-enter = コード { $code } を入力してください
cli-phone-open = スマートフォンで { $uri } を開き、
cli-larger-terminal = （ターミナルを広げると、読み取り用の QR コードが表示されます）
cli-code-expires = コードは { $duration }後（{ $time }）に期限切れになります。
cli-request-expires = リクエストは { $duration }後（{ $time }）に期限切れになります。
cli-pairing-approve =
    ペアリングコードを表示したブラウザ（Usher の「デバイスを追加」
    ページ）で、このデバイスを承認してください。
cli-waiting = スマートフォンでの承認を待っています…（残り { $time }）
cli-seconds = { $n } 秒
cli-minutes = { $n } 分
cli-minutes-seconds = { $m } 分 { $s } 秒

## 結果。
cli-signed-in = サインインしました。
cli-denied = スマートフォンでリクエストが拒否されました。
cli-expired = コードの有効期限が切れました。もう一度コマンドを実行してください。
cli-live-closed = ライブチャネルが閉じられました。代わりにポーリングします。
cli-live-failed = ライブチャネルでエラーが発生しました（{ $error }）。代わりにポーリングします。
cli-no-live-channel = プロバイダーにライブチャネルがありません。代わりにポーリングします。

## 受け取ったトークン。
cli-id-token = ID トークン
cli-access-token = アクセストークン
cli-claims = { $label }のクレーム（{ $status }）:
cli-signature-verified = 署名を検証済み
cli-not-verified = 未検証: { $reason }
cli-not-jwt = { $label }: JWT ではありません（{ $reason }）
cli-no-id-token = ID トークンはありません（`openid` スコープを要求してください）。
cli-scope = スコープ:
cli-scope-not-stated = （記載なし: 要求どおり）
cli-expires-in = 有効期間:
cli-not-stated = （記載なし）
cli-refresh-token = リフレッシュトークン:
cli-refresh-issued = 発行済み
cli-refresh-not-issued = 未発行

## エラー。
cli-http-client-failed = HTTP クライアントを作成できませんでした
cli-no-device-endpoint = プロバイダーが device_authorization_endpoint を公開していません
cli-unreachable = { $url } に接続できませんでした
cli-server-unreachable = サーバーに接続できませんでした
cli-retrying = サーバーに接続できませんでした（{ $error }）。再試行します
cli-authorization-refused = デバイスの認可が拒否されました: { $reason }
cli-token-failed = トークンのリクエストに失敗しました: { $reason }
cli-answered = { $url } の応答: { $reason }
cli-bad-answer = { $url } からの応答が不正です
cli-read-failed = 応答を読み取れませんでした
cli-unexpected-response = 予期しない応答です（{ $status }）
cli-unexpected-answer = 予期しない応答です
cli-live-broke = ライブチャネルが切断されました
cli-qr-failed = QR コードを作成できませんでした
cli-no-jwks = プロバイダーに jwks_uri がありません
cli-malformed-header = JWT ヘッダーの形式が正しくありません
cli-unknown-kid = kid「{ $kid }」の鍵がありません
cli-no-kid = トークンが鍵（kid）を指定していません
cli-unusable-key = JWKS の鍵を使用できません
