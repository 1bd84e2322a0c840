<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="ja">
<context>
    <name>AccountPanel</name>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="108" />
        <source>Limit</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="108" />
        <source>Effective</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="108" />
        <source>Default</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="108" />
        <source>From</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="109" />
        <location filename="../../app/fumidai/desk/account_panel.py" line="112" />
        <source>Country</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="109" />
        <source>Messages/h</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="109" />
        <source>Messages/day</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="110" />
        <source>Recipients/day</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="110" />
        <source>Refused/day</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="111" />
        <location filename="../../app/fumidai/desk/account_panel.py" line="113" />
        <source>Time</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="111" />
        <source>Stage</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="111" />
        <location filename="../../app/fumidai/desk/account_panel.py" line="113" />
        <source>Action</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="111" />
        <location filename="../../app/fumidai/desk/account_panel.py" line="113" />
        <source>Reason</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="112" />
        <source>Client</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="112" />
        <source>Recipients</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="113" />
        <location filename="../../app/fumidai/desk/account_panel.py" line="116" />
        <source>Staff</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="114" />
        <source>Change</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="115" />
        <source>Created</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="115" />
        <source>Template</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="115" />
        <source>Language</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="116" />
        <source>Status</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="116" />
        <source>Sent</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="116" />
        <source>Error</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="118" />
        <source>Limits</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="118" />
        <source>Countries</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="119" />
        <source>Recent decisions</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="120" />
        <source>History</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="120" />
        <source>Notices</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="123" />
        <source>&amp;Suspend…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="124" />
        <source>Stop this account's sending (it still receives mail)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="125" />
        <source>Suspend &amp;&amp; &amp;notify…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="126" />
        <source>Suspend and mail the owner in one step</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="127" />
        <source>&amp;Release…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="128" />
        <source>Let the account send again</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="129" />
        <source>Edit &amp;quota…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="130" />
        <source>This account's own limits, country caps and home countries</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="131" />
        <source>Send &amp;notice…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="132" />
        <source>Mail the owner from a template</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="133" />
        <source>&amp;Export history…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="134" />
        <source>Hourly sending per country as CSV</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="192" />
        <source>your role (viewer) cannot change accounts</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="235" />
        <source>automatically</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="235" />
        <source>by {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="236" />
        <source>Suspended {0} since {1}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="238" />
        <source>, until {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="241" />
        <source>Limited: at a quota now</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="243" />
        <source>Sending normally</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="262" />
        <source>override by {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="264" />
        <source> until {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="272" />
        <location filename="../../app/fumidai/desk/account_panel.py" line="283" />
        <source>default</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="275" />
        <source>abroad: </source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="282" />
        <source>Home countries</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="340" />
        <source>Export history</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="341" />
        <source>CSV files (*.csv)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="364" />
        <source>Exported {0} rows to {1}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="376" />
        <source>{0}: {1} done</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>AccountRatesModel</name>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="35" />
        <source>Account</source>
        <translation>アカウント</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="36" />
        <source>Rate now
(msg/min)</source>
        <translation>現在の送信率
(通/分)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="37" />
        <source>Last hour</source>
        <translation>直近1時間</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="38" />
        <source>Last day</source>
        <translation>直近1日</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="39" />
        <source>Quota</source>
        <translation>上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="40" />
        <source>Used</source>
        <translation>使用率</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="41" />
        <source>Recipients
/min</source>
        <translation>宛先数
/分</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="42" />
        <source>Top country</source>
        <translation>主な送信元国</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="43" />
        <source>Countries</source>
        <translation>国数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="44" />
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="45" />
        <source>Since</source>
        <translation>開始時刻</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="48" />
        <source>SASL user name</source>
        <translation>SASL ユーザー名</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="49" />
        <source>Messages per minute over the last minute</source>
        <translation>直近1分間の1分あたり送信数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="50" />
        <source>Messages accepted in the last hour</source>
        <translation>直近1時間に受け付けた通数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="51" />
        <source>Messages accepted in the last day</source>
        <translation>直近1日に受け付けた通数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="52" />
        <source>Effective quota; a ◆ marks a staff override</source>
        <translation>有効な上限 (◆ は担当者による個別設定)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="53" />
        <source>Highest used/limit fraction over all limits</source>
        <translation>すべての上限のうち最も高い使用率</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="54" />
        <source>Recipients per minute</source>
        <translation>1分あたりの宛先数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="55" />
        <source>Country most mail came from</source>
        <translation>最も多く送信された国</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="56" />
        <source>Distinct source countries today</source>
        <translation>本日の送信元国の数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="57" />
        <source>ok, limited, auto-stopped or stopped by staff</source>
        <translation>正常・制限中・自動停止・担当者が停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="58" />
        <source>When the status began</source>
        <translation>この状態になった時刻</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="71" />
        <source>ok</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="71" />
        <source>limited</source>
        <translation>制限中</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="71" />
        <source>auto-stopped</source>
        <translation>自動停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="72" />
        <source>stopped by staff</source>
        <translation>担当者が停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="81" />
        <source>/h</source>
        <translation>/時</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="81" />
        <source>/d</source>
        <translation>/日</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="170" />
        <source>stopped by {staff}</source>
        <translation>{staff} が停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="192" />
        <source>no expiry</source>
        <translation>期限なし</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_model.py" line="193" />
        <source>Staff override, until {until}</source>
        <translation>担当者による個別設定 (期限: {until})</translation>
    </message>
</context>
<context>
    <name>AlertsFeed</name>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="126" />
        <source>Sending stopped automatically</source>
        <translation>送信を自動停止しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="129" />
        <source>{account} ({reason}, from {country})</source>
        <translation>{account} ({reason}、送信元 {country})</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="132" />
        <source>{n} accounts: {names}</source>
        <translation>{n} アカウント: {names}</translation>
    </message>
</context>
<context>
    <name>AlertsModel</name>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="15" />
        <source>Time</source>
        <translation>時刻</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="16" />
        <source>Account</source>
        <translation>アカウント</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="17" />
        <source>What</source>
        <translation>種別</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="18" />
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="19" />
        <source>Country</source>
        <translation>国</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="29" />
        <source>automatic stop</source>
        <translation>自動停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="29" />
        <source>country cap</source>
        <translation>国別上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="29" />
        <source>refused (quota)</source>
        <translation>拒否 (上限)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="30" />
        <source>deferred</source>
        <translation>一時拒否</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="30" />
        <source>held</source>
        <translation>保留</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="30" />
        <source>filtered</source>
        <translation>隔離</translation>
    </message>
</context>
<context>
    <name>ConnectDialog</name>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="32" />
        <source>Connect to the Fumidai backend</source>
        <translation>Fumidai サーバーに接続</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="39" />
        <source>the token printed by `fumidai staff add`</source>
        <translation>`fumidai staff add` が表示したトークン</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="40" />
        <source>Remember the token on this computer</source>
        <translation>このコンピューターにトークンを保存する</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="46" />
        <source>No system keyring is available: a remembered token is stored unencrypted in the desk's settings file.</source>
        <translation>システムのキーリングが使えません。保存したトークンは設定ファイルに暗号化されずに保存されます。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="51" />
        <source>Backend URL</source>
        <translation>サーバー URL</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="52" />
        <source>Token</source>
        <translation>トークン</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="54" />
        <source>Connect</source>
        <translation>接続</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="68" />
        <source>Enter the backend URL and your token.</source>
        <translation>サーバー URL とトークンを入力してください。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="70" />
        <source>Connecting…</source>
        <translation>接続中…</translation>
    </message>
</context>
<context>
    <name>LimitField</name>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="114" />
        <source>unlimited</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="116" />
        <source>default: {0}</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>LivePlot</name>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="130" />
        <source>Last hour</source>
        <translation>直近1時間</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="131" />
        <source>Last day</source>
        <translation>直近1日</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="132" />
        <source>messages / minute</source>
        <translation>通数 / 分</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="225" />
        <source>Sending of {names}, by source country</source>
        <translation>{names} の送信 (送信元国別)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="227" />
        <source>(dashed: hourly quota {n}/h as a per-minute pace)</source>
        <translation>(破線: 1時間上限 {n}/時 を1分あたりに換算)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="230" />
        <source>Top senders now (select accounts in the table to see them by country)</source>
        <translation>現在の上位送信者 (表でアカウントを選ぶと国別に表示)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="252" />
        <source>unknown role</source>
        <translation>権限不明</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="254" />
        <source>Fumidai abuse desk — {backend} — {who}</source>
        <translation>Fumidai 不正利用対応デスク — {backend} — {who}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="256" />
        <source>Live</source>
        <translation>ライブ</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="257" />
        <source>Trends</source>
        <translation>傾向</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="258" />
        <source>Alerts</source>
        <translation>アラート</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="259" />
        <source>Account</source>
        <translation>アカウント</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="260" />
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="261" />
        <source>&amp;Account</source>
        <translation>アカウント(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="262" />
        <source>Theme</source>
        <translation>テーマ</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="263" />
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="264" />
        <source>Follow the system</source>
        <translation>システムに従う</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="264" />
        <source>Light</source>
        <translation>ライト</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="265" />
        <source>Dark</source>
        <translation>ダーク</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="267" />
        <source>Pause live updates</source>
        <translation>ライブ更新を一時停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="268" />
        <source>Keep the table still while you work (Space)</source>
        <translation>作業中は表を止めておく (Space)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="269" />
        <source>Refresh now</source>
        <translation>今すぐ更新</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="270" />
        <source>Find account</source>
        <translation>アカウントを検索</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="271" />
        <source>Sending sources by country</source>
        <translation>国別の送信元</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="273" />
        <source>The world map is not available in this build.</source>
        <translation>このビルドでは世界地図を利用できません。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="277" />
        <source>Your role (viewer) can look but not change accounts</source>
        <translation>あなたの権限 (閲覧者) では参照のみ可能で、アカウントは変更できません</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="313" />
        <source>The language changes at the next start.</source>
        <translation>言語は次回の起動時に切り替わります。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="325" />
        <source>{rate:,.1f} msg/min · {active:,} active · {limited:,} limited · {stopped:,} stopped</source>
        <translation>{rate:,.1f} 通/分 · 稼働 {active:,} · 制限中 {limited:,} · 停止 {stopped:,}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="355" />
        <source>waiting for the first update…</source>
        <translation>最初の更新を待っています…</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="357" />
        <source>last update {n} s ago</source>
        <translation>最終更新 {n} 秒前</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="359" />
        <source>paused (Space to resume)</source>
        <translation>一時停止中 (Space で再開)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="362" />
        <source>next refresh in {n} s</source>
        <translation>次の更新まで {n} 秒</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="365" />
        <source>No data yet: the backend does not answer. Retrying.</source>
        <translation>データがありません: サーバーが応答しません。再試行しています。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="367" />
        <source>Stale data: last update {n} s ago. Retrying.</source>
        <translation>古いデータです: 最終更新 {n} 秒前。再試行しています。</translation>
    </message>
<message><source>No system keyring: the token is stored unencrypted in the settings file.</source><translation>システムのキーリングがありません: トークンは設定ファイルに暗号化されずに保存されています。</translation></message></context>
<context>
    <name>NoticeDialog</name>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="32" />
        <source>Send a notice</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="45" />
        <source>Loading templates…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="50" />
        <source>Send</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="56" />
        <source>Template</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="57" />
        <source>Language</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="58" />
        <source>To</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="88" />
        <source>The backend has no notice templates.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="111" />
        <source>Rendering…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="128" />
        <source>Sending…</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>QuotaDialog</name>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="137" />
        <source>Limits for {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="143" />
        <source>Custom</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="148" />
        <source>Account quota</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="155" />
        <source>From abroad (outside the home countries)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="162" />
        <source>default: {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="164" />
        <source>Home countries</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="166" />
        <source>Per-country caps (empty cell: no limit)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="168" />
        <source>Country</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="170" />
        <source>Add country</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="171" />
        <source>Remove country</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="182" />
        <source>Temporary, until (UTC)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="190" />
        <source>Reason (required, stored in the audit log)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="193" />
        <source>Reason</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="199" />
        <source>Save</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="200" />
        <source>Back to defaults</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="209" />
        <source>Preset</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="280" />
        <source>Give a reason to go back to the defaults.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="290" />
        <source>row {0}: {1!r} is not an ISO 3166 country code (e.g. CN)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="293" />
        <source>{0} appears twice in the country caps</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="310" />
        <source>home countries: {0!r} is not an ISO 3166 country code</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="337" />
        <source>the expiry must be in the future</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="341" />
        <source>a reason is required</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>RatesPanel</name>
    <message>
        <location filename="../../app/fumidai/desk/rates_panel.py" line="101" />
        <source>Search account or contact (Ctrl+F)</source>
        <translation>アカウントまたは連絡先を検索 (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_panel.py" line="104" />
        <source>Show only accounts in this state; several chips combine</source>
        <translation>この状態のアカウントだけを表示 (複数選択可)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_panel.py" line="138" />
        <source>Filtered to country {code}  ×</source>
        <translation>国 {code} で絞り込み中  ×</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_panel.py" line="139" />
        <source>Show every country again</source>
        <translation>すべての国を表示</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_panel.py" line="142" />
        <source>{shown} of {total} accounts</source>
        <translation>{total} 件中 {shown} 件</translation>
    </message>
</context>
<context>
    <name>ReleaseDialog</name>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="31" />
        <source>Release sending</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="34" />
        <source>Before you release: recommended steps</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="44" />
        <source>Reason (stored in the audit log)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="48" />
        <source>I confirm that {0} is back under its owner's control.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="52" />
        <source>Confirmed</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="57" />
        <source>Release</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>SuspendDialog</name>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="43" />
        <source>Suspend sending</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="44" />
        <source>Stop {0} from sending mail. Receiving and reading mail keep working.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="51" />
        <source>Notify the owner</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="60" />
        <source>Reason</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="62" />
        <source>Template</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="63" />
        <source>Language</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="66" />
        <source>Suspend</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>TrendsView</name>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="69" />
        <source> days</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="70" />
        <source>Reload</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="76" />
        <source>Messages per day</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="80" />
        <source>accepted</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="82" />
        <source>refused</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="86" />
        <source>Automatic stops per day</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="93" />
        <source>Country</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="93" />
        <source>Messages</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="93" />
        <source>Share</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="156" />
        <source>Last 7 days: {0:.1%} of messages refused, {1} automatic stops.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="159" />
        <source>The 7 days before: {0:.1%} refused, {1} stops.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="161" />
        <source>No data for this period.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>UndoToast</name>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="233" />
        <source>Undo</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="241" />
        <source>Undo suspend</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="255" />
        <source>Suspended {0}</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>messages</name>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="13" />
        <source>the server's certificate has expired</source>
        <translation>サーバー証明書の有効期限が切れています</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="14" />
        <source>the server's certificate is not signed by a trusted authority</source>
        <translation>サーバー証明書が信頼できる認証局によって署名されていません</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="15" />
        <source>the server's certificate is for another host name</source>
        <translation>サーバー証明書のホスト名が一致しません</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="16" />
        <source>the secure connection failed</source>
        <translation>暗号化接続に失敗しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="17" />
        <source>Cannot trust {url}: {what}.</source>
        <translation>{url} を信頼できません: {what}。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="19" />
        <source>The backend at {url} did not answer in time.</source>
        <translation>{url} のサーバーが時間内に応答しませんでした。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="21" />
        <source>Cannot reach the backend at {url}; check the address and that the server runs.</source>
        <translation>{url} のサーバーに接続できません。アドレスとサーバーの稼働を確認してください。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="24" />
        <source>The backend refused the token (wrong, expired or revoked).</source>
        <translation>サーバーがトークンを拒否しました (誤り・期限切れ・失効)。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="26" />
        <source>Your role does not allow this action.</source>
        <translation>あなたの権限ではこの操作はできません。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="28" />
        <source>The backend answered an error: {detail}</source>
        <translation>サーバーがエラーを返しました: {detail}</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <location filename="../../app/fumidai/desk/app.py" line="87" />
        <source>No system keyring: the token is stored unencrypted in the settings file.</source>
        <translation type="unfinished" />
    </message>
</context>
</TS>