<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja">
<context>
    <name>AccountPanel</name>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="53"/>
        <location filename="../../app/fumidai/desk/account_panel.py" line="54"/>
        <source>suspended</source>
        <translation>送信停止しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="55"/>
        <location filename="../../app/fumidai/desk/account_panel.py" line="56"/>
        <source>released</source>
        <translation>送信停止を解除しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="57"/>
        <source>suspension undone</source>
        <translation>送信停止を取り消しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="58"/>
        <source>limits saved</source>
        <translation>送信上限を保存しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="59"/>
        <source>limits back to the defaults</source>
        <translation>送信上限を既定値に戻しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="60"/>
        <source>notice queued</source>
        <translation>通知を送信キューに入れました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="61"/>
        <source>travel permission saved</source>
        <translation>渡航中の送信許可を保存しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="62"/>
        <source>travel permission ended</source>
        <translation>渡航中の送信許可を終了しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="63"/>
        <source>probation cleared</source>
        <translation>仮制限を解除しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="66"/>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="67"/>
        <source>watch</source>
        <translation>監視</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="68"/>
        <source>probation</source>
        <translation>仮制限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="69"/>
        <source>hold</source>
        <translation>保留</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="70"/>
        <source>suspend</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="91"/>
        <source>unlimited</source>
        <translation>無制限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="234"/>
        <source>Limit</source>
        <translation>上限項目</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="234"/>
        <source>Effective</source>
        <translation>適用中</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="234"/>
        <source>Default</source>
        <translation>既定値</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="234"/>
        <source>From</source>
        <translation>設定元</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="235"/>
        <location filename="../../app/fumidai/desk/account_panel.py" line="238"/>
        <source>Country</source>
        <translation>国</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="235"/>
        <source>Messages/h</source>
        <translation>通数/時</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="235"/>
        <source>Messages/day</source>
        <translation>通数/日</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="236"/>
        <source>Recipients/day</source>
        <translation>宛先数/日</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="236"/>
        <source>Refused/day</source>
        <translation>拒否数/日</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="237"/>
        <location filename="../../app/fumidai/desk/account_panel.py" line="239"/>
        <source>Time</source>
        <translation>時刻</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="237"/>
        <source>Stage</source>
        <translation>段階</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="237"/>
        <location filename="../../app/fumidai/desk/account_panel.py" line="239"/>
        <source>Action</source>
        <translation>処理</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="237"/>
        <location filename="../../app/fumidai/desk/account_panel.py" line="239"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="238"/>
        <source>Client</source>
        <translation>クライアント</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="238"/>
        <source>Recipients</source>
        <translation>宛先数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="239"/>
        <location filename="../../app/fumidai/desk/account_panel.py" line="242"/>
        <source>Staff</source>
        <translation>担当者</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="240"/>
        <source>Change</source>
        <translation>変更内容</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="241"/>
        <source>Created</source>
        <translation>作成日時</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="241"/>
        <source>Template</source>
        <translation>テンプレート</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="241"/>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="242"/>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="242"/>
        <source>Sent</source>
        <translation>送信日時</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="242"/>
        <source>Error</source>
        <translation>エラー</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="243"/>
        <source>Received</source>
        <translation>受信日時</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="243"/>
        <source>Subject</source>
        <translation>件名</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="243"/>
        <source>Feedback</source>
        <translation>種別</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="244"/>
        <source>Reporter</source>
        <translation>報告元</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="246"/>
        <source>Limits</source>
        <translation>送信上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="246"/>
        <source>Countries</source>
        <translation>国別</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="246"/>
        <source>Recent decisions</source>
        <translation>最近の判定</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="247"/>
        <source>History</source>
        <translation>操作履歴</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="247"/>
        <source>Notices</source>
        <translation>通知</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="250"/>
        <source>&amp;Suspend…</source>
        <translation>送信停止(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="250"/>
        <source>Stop this account&apos;s sending (it still receives mail)</source>
        <translation>このアカウントの送信を停止します (受信は引き続き可能)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="251"/>
        <source>Suspend &amp;&amp; &amp;notify…</source>
        <translation>送信停止して通知(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="252"/>
        <source>Suspend and mail the owner in one step</source>
        <translation>送信停止と利用者への通知を一度に行います</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="253"/>
        <source>&amp;Release…</source>
        <translation>解除(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="253"/>
        <source>Let the account send again</source>
        <translation>このアカウントの送信を再開させます</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="254"/>
        <source>Edit &amp;quota…</source>
        <translation>送信上限を編集(&amp;Q)…</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="255"/>
        <source>This account&apos;s own limits, country caps and home countries</source>
        <translation>このアカウント個別の送信上限・国別上限・利用国</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="256"/>
        <source>Send &amp;notice…</source>
        <translation>通知を送信(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="256"/>
        <source>Mail the owner from a template</source>
        <translation>テンプレートから利用者へ通知メールを送ります</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="257"/>
        <source>&amp;Export history…</source>
        <translation>履歴をエクスポート(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="257"/>
        <source>Hourly sending per country as CSV</source>
        <translation>国別・1時間ごとの送信数を CSV で保存</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="258"/>
        <source>&amp;Travel…</source>
        <translation>渡航許可(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="259"/>
        <source>Let the owner send from other countries for a while</source>
        <translation>一定期間、利用者が海外から送信できるようにする</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="260"/>
        <source>Clear &amp;probation…</source>
        <translation>仮制限を解除(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="261"/>
        <source>End the probation the behaviour analysis put this account on</source>
        <translation>行動分析が付けた仮制限を解除する</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="269"/>
        <source>No account selected</source>
        <translation>アカウント未選択</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="270"/>
        <source>Select a row in the table, or double-click an alert.</source>
        <translation>表の行を選択するか、アラートをダブルクリックしてください。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="271"/>
        <source>Mail sent from outside these countries counts against the abroad limits</source>
        <translation>これらの国以外から送ったメールには海外からの上限がかかります</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="305"/>
        <source>your role (viewer) cannot change accounts</source>
        <translation>あなたの権限 (閲覧者) ではアカウントを変更できません</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="354"/>
        <source>Home countries: {0}</source>
        <translation>利用国: {0}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="358"/>
        <source>automatically</source>
        <translation>自動で</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="358"/>
        <source>by {0}</source>
        <translation>{0} が</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="359"/>
        <source>Suspended {0} since {1}</source>
        <translation>{1} から送信停止中 ({0}停止)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="361"/>
        <source>, until {0}</source>
        <translation>、{0} まで</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="365"/>
        <source>Limited: at a quota now</source>
        <translation>制限中: 送信上限に達しています</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="367"/>
        <source>Sending normally</source>
        <translation>正常に送信中</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="388"/>
        <source>Complaints ({n})</source>
        <translation>苦情 ({n})</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="388"/>
        <source>Complaints</source>
        <translation>苦情</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="412"/>
        <source>{what}: limit {limit} reached ({used} now)</source>
        <translation>{what}: 上限 {limit} に到達 (現在 {used})</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="415"/>
        <source>{what}: {used} of {limit} ({share:.0%})</source>
        <translation>{what}: {limit} のうち {used} ({share:.0%})</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="419"/>
        <source>{n} attempts refused today ({r} recipients)</source>
        <translation>本日拒否した送信 {n} 件 (宛先 {r} 件)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="423"/>
        <source>{n:.1f} recipients per message</source>
        <translation>1通あたり宛先 {n:.1f} 件</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="424"/>
        <source>Why: {0}</source>
        <translation>理由: {0}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="429"/>
        <source>From {0}</source>
        <translation>送信元 {0}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="431"/>
        <source>({n} addresses in recent decisions)</source>
        <translation>(最近の判定で {n} 個のアドレス)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="439"/>
        <source>Risk: {level} ({score:.2f})</source>
        <translation>リスク: {level} ({score:.2f})</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="444"/>
        <source>⚑ new country</source>
        <translation>⚑ 新しい国</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="446"/>
        <source>⚑ new recipients</source>
        <translation>⚑ 新しい宛先</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="448"/>
        <source>Own limits (bulk sender)</source>
        <translation>個別上限あり (大量送信者)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="451"/>
        <source>{n} complaints</source>
        <translation>苦情 {n} 件</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="454"/>
        <source>Travelling: {countries} until {until}</source>
        <translation>渡航中: {countries} ({until} まで)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="458"/>
        <source>Trusted until {until}</source>
        <translation>信頼済み ({until} まで)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="467"/>
        <source>since {0}</source>
        <translation>{0} から</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="478"/>
        <source>override by {0}</source>
        <translation>{0} による個別設定</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="480"/>
        <source> until {0}</source>
        <translation> ({0} まで)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="488"/>
        <location filename="../../app/fumidai/desk/account_panel.py" line="499"/>
        <source>default</source>
        <translation>既定値</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="491"/>
        <source>abroad: </source>
        <translation>国外: </translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="498"/>
        <source>Home countries</source>
        <translation>利用国</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="564"/>
        <source>Release now?</source>
        <translation>今すぐ解除しますか?</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="565"/>
        <source>The limits are saved, but the account is still stopped by the old quota. Release it now?</source>
        <translation>送信上限を保存しましたが、アカウントは以前の上限による停止のままです。今すぐ解除しますか?</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="615"/>
        <source>Clear probation: {0}</source>
        <translation>仮制限の解除: {0}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="616"/>
        <source>Why is this account trusted again? (stored in the audit log)</source>
        <translation>このアカウントを再び信頼する理由 (監査ログに記録されます)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="624"/>
        <source>Export history</source>
        <translation>履歴のエクスポート</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="625"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV ファイル (*.csv)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="649"/>
        <source>Exported {0} rows to {1}</source>
        <translation>{0} 行を {1} に書き出しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="666"/>
        <source>; the notice failed: {0}</source>
        <translation>。通知は失敗しました: {0}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/account_panel.py" line="668"/>
        <source>; notice {0}</source>
        <translation>。通知: {0}</translation>
    </message>
</context>
<context>
    <name>AccountRatesModel</name>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="26"/>
        <source>Account</source>
        <translation>アカウント</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="28"/>
        <source>Last hour</source>
        <translation>直近1時間</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="29"/>
        <source>Last day</source>
        <translation>直近1日</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="30"/>
        <source>Quota</source>
        <translation>上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="31"/>
        <source>Used</source>
        <translation>使用率</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="32"/>
        <source>Recipients
/min</source>
        <translation>宛先数
/分</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="33"/>
        <source>Top country</source>
        <translation>主な送信元国</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="34"/>
        <source>Countries</source>
        <translation>国数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="35"/>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="36"/>
        <source>Since</source>
        <translation>開始時刻</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="41"/>
        <source>SASL user name</source>
        <translation>SASL ユーザー名</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="27"/>
        <source>msg/min
(5 min)</source>
        <translation>通数/分
(5分間)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="45"/>
        <source>Effective hourly quota (daily if none); a ◆ marks a staff override</source>
        <translation>有効な1時間あたりの上限（なければ1日の上限）。◆ はスタッフによる変更</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="42"/>
        <source>Attempts per minute over the last 5 minutes, accepted and refused alike</source>
        <translation>直近5分間の1分あたりの送信試行数 (受付・拒否の両方)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="37"/>
        <source>Risk</source>
        <translation>リスク</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="38"/>
        <source>Complaints</source>
        <translation>苦情</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="43"/>
        <source>Messages accepted in the last hour (refused ones not counted)</source>
        <translation>直近1時間に受け付けた通数 (拒否分は含まない)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="44"/>
        <source>Messages accepted in the last day (refused ones not counted)</source>
        <translation>直近1日に受け付けた通数 (拒否分は含まない)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="46"/>
        <source>Highest share used of any of the account&apos;s quotas</source>
        <translation>このアカウントの各上限のうち最も高い使用率</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="47"/>
        <source>Recipients per minute</source>
        <translation>1分あたりの宛先数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="48"/>
        <source>Country most mail came from</source>
        <translation>最も多く送信された国</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="49"/>
        <source>Distinct source countries today</source>
        <translation>本日の送信元国の数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="50"/>
        <source>ok, limited, auto-stopped or stopped by staff</source>
        <translation>正常・制限中・自動停止・担当者が停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="51"/>
        <source>When the status began</source>
        <translation>この状態になった時刻</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="52"/>
        <source>The behaviour analysis: watch, probation, hold or suspend, and why</source>
        <translation>行動分析の判定 (監視・仮制限・保留・停止) とその理由</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="53"/>
        <source>Complaints (feedback loops, abuse reports) traced to the account within the server&apos;s complaints window</source>
        <translation>苦情の期間内にこのアカウントへたどれた苦情（フィードバックループ・迷惑メール報告）</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="57"/>
        <source>watch</source>
        <translation>監視</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="58"/>
        <source>probation</source>
        <translation>仮制限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="59"/>
        <source>hold</source>
        <translation>保留</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="60"/>
        <source>suspend</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="100"/>
        <source>ok</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="100"/>
        <source>limited</source>
        <translation>制限中</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="100"/>
        <source>auto-stopped</source>
        <translation>自動停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="101"/>
        <source>stopped by staff</source>
        <translation>担当者が停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="116"/>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="124"/>
        <source>/h</source>
        <translation>/時</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="116"/>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="124"/>
        <source>/d</source>
        <translation>/日</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="163"/>
        <location filename="../../app/fumidai/desk/rates_model.py" line="338"/>
        <source>stopped by {staff}</source>
        <translation>{staff} が停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="191"/>
        <source>no expiry</source>
        <translation>期限なし</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="192"/>
        <source>Staff override, until {until}</source>
        <translation>担当者による個別設定 (期限: {until})</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_columns.py" line="201"/>
        <source>{n} complaints within the complaints window; the account panel lists them (double-click)</source>
        <translation>苦情の期間内に {n} 件。一覧はアカウント画面で（ダブルクリック）</translation>
    </message>
</context>
<context>
    <name>ActionRunner</name>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="43"/>
        <source>suspend accounts</source>
        <translation>アカウントの送信停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="44"/>
        <source>suspend accounts and notify their owners</source>
        <translation>アカウントの送信停止と利用者への通知</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="45"/>
        <location filename="../../app/fumidai/desk/actions.py" line="46"/>
        <location filename="../../app/fumidai/desk/actions.py" line="47"/>
        <source>release accounts</source>
        <translation>送信停止の解除</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="48"/>
        <location filename="../../app/fumidai/desk/actions.py" line="49"/>
        <source>change an account&apos;s limits</source>
        <translation>送信上限の変更</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="50"/>
        <source>preview notices</source>
        <translation>通知のプレビュー</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="51"/>
        <location filename="../../app/fumidai/desk/actions.py" line="52"/>
        <location filename="../../app/fumidai/desk/actions.py" line="53"/>
        <source>change an account&apos;s permissions</source>
        <translation>アカウントの許可を変更する</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="54"/>
        <source>acknowledge alerts</source>
        <translation>アラートを確認済みにする</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="55"/>
        <source>send notices</source>
        <translation>通知の送信</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="65"/>
        <source>your role ({0}) may not {1}; ask an admin.</source>
        <translation>あなたの権限 ({0}) では{1}はできません。管理者に依頼してください。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="66"/>
        <source>your role may not {0}; ask an admin.</source>
        <translation>あなたの権限では{0}はできません。管理者に依頼してください。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="68"/>
        <source>the backend did not accept your token; sign in again or check the token file.</source>
        <translation>サーバーがトークンを受け付けませんでした。再度サインインするか、トークンファイルを確認してください。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="70"/>
        <source>the backend&apos;s TLS certificate could not be verified ({0}); check the address and the CA.</source>
        <translation>サーバーの TLS 証明書を検証できませんでした ({0})。アドレスと認証局を確認してください。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="73"/>
        <source>the backend did not answer in time ({0}); the action may or may not have happened: reload.</source>
        <translation>サーバーが時間内に応答しませんでした ({0})。操作が反映されたかは不明です。再読み込みしてください。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="76"/>
        <source>backend unreachable ({0}); check the address and that `fumidai serve` is running.</source>
        <translation>サーバーに接続できません ({0})。アドレスと `fumidai serve` の稼働を確認してください。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="80"/>
        <source>the backend does not know this account ({0}).</source>
        <translation>サーバーにこのアカウントがありません ({0})。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="82"/>
        <source>not possible now: {0}</source>
        <translation>現在は実行できません: {0}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="84"/>
        <source>the backend refused the values: {0}</source>
        <translation>サーバーが値を受け付けませんでした: {0}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="86"/>
        <source>the backend failed ({0}: {1}); try again, then check its log.</source>
        <translation>サーバーでエラーが発生しました ({0}: {1})。再試行し、解決しなければサーバーのログを確認してください。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="91"/>
        <source>unexpected error: {0}</source>
        <translation>予期しないエラー: {0}</translation>
    </message>
</context>
<context>
    <name>AlertsFeed</name>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="334"/>
        <source>Acknowledge</source>
        <translation>確認済みにする</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="335"/>
        <source>Mark the selected alerts as seen and handled, for every desk (Ctrl+K)</source>
        <translation>選んだアラートを確認・対応済みにする (全デスクに反映, Ctrl+K)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="336"/>
        <source>Open an incident</source>
        <translation>インシデントを開く</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="399"/>
        <source>Sending stopped automatically</source>
        <translation>送信を自動停止しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="403"/>
        <source>{account} ({reason}, from {country})</source>
        <translation>{account} ({reason}、送信元 {country})</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="407"/>
        <source>and {n} more</source>
        <translation>ほか {n} 件</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="408"/>
        <source>{n} accounts: {names}</source>
        <translation>{n} アカウント: {names}</translation>
    </message>
</context>
<context>
    <name>AlertsModel</name>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="32"/>
        <source>Time</source>
        <translation>時刻</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="33"/>
        <source>Account</source>
        <translation>アカウント</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="34"/>
        <source>What</source>
        <translation>種別</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="35"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="36"/>
        <source>Country</source>
        <translation>国</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="50"/>
        <source>automatic stop</source>
        <translation>自動停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="50"/>
        <source>country cap</source>
        <translation>国別上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="50"/>
        <source>refused (quota)</source>
        <translation>拒否 (上限)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="51"/>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="61"/>
        <source>deferred</source>
        <translation>一時拒否</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="51"/>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="61"/>
        <source>held</source>
        <translation>保留</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="51"/>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="61"/>
        <source>filtered</source>
        <translation>隔離</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="52"/>
        <source>behaviour analysis</source>
        <translation>行動分析</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="53"/>
        <source>complaint about a message</source>
        <translation>送信メールへの苦情</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="54"/>
        <source>egress address listed on a blocklist</source>
        <translation>送信元アドレスがブロックリストに掲載</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="55"/>
        <source>egress address delisted</source>
        <translation>送信元アドレスの掲載解除</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="60"/>
        <source>stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="60"/>
        <source>cap</source>
        <translation>国別上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="60"/>
        <source>limit</source>
        <translation>上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="62"/>
        <source>risk</source>
        <translation>リスク</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="63"/>
        <source>complaint</source>
        <translation>苦情</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="64"/>
        <source>listed</source>
        <translation>掲載</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="65"/>
        <source>delisted</source>
        <translation>解除</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="70"/>
        <source>Hourly message quota</source>
        <translation>1時間あたりの送信通数の上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="71"/>
        <source>Daily message quota</source>
        <translation>1日あたりの送信通数の上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="72"/>
        <source>Hourly recipient quota</source>
        <translation>1時間あたりの宛先数の上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="73"/>
        <source>Daily recipient quota</source>
        <translation>1日あたりの宛先数の上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="74"/>
        <source>Recipients per message limit</source>
        <translation>1通あたりの宛先数の上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="75"/>
        <source>Daily distinct recipients quota</source>
        <translation>1日あたりの異なる宛先数の上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="78"/>
        <source>messages per hour</source>
        <translation>1時間の送信通数の上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="79"/>
        <source>messages per day</source>
        <translation>1日の送信通数の上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="80"/>
        <source>recipients per hour</source>
        <translation>1時間の宛先数の上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="81"/>
        <source>recipients per day</source>
        <translation>1日の宛先数の上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="82"/>
        <source>recipients per message</source>
        <translation>1通の宛先数の上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="83"/>
        <source>distinct recipients per day</source>
        <translation>1日の異なる宛先数の上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="88"/>
        <source>watch</source>
        <translation>監視</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="89"/>
        <source>probation</source>
        <translation>仮制限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="90"/>
        <source>hold</source>
        <translation>保留</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="91"/>
        <source>suspend</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="99"/>
        <source>Account suspended</source>
        <translation>アカウント停止中</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="102"/>
        <source>Risk: {level}</source>
        <translation>リスク: {level}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="103"/>
        <source>Behaviour analysis</source>
        <translation>行動分析</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="107"/>
        <source>Abroad cap: {limit}</source>
        <translation>海外からの{limit}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="109"/>
        <source>{country} cap: {limit}</source>
        <translation>{country}からの{limit}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="139"/>
        <source>{n} of {limit} complaints (stop at {limit})</source>
        <translation>苦情 {n} / {limit} 件({limit} 件で停止)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="146"/>
        <source>{egress} no longer listed on {zone}</source>
        <translation>{egress} は {zone} から削除されました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="148"/>
        <source>{egress} listed on {zone}</source>
        <translation>{egress} が {zone} に掲載されました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="209"/>
        <source>{reason} ×{n} since {time}</source>
        <translation>{reason} ×{n} ({time} から)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/alerts_feed.py" line="215"/>
        <source>acknowledged by {0} at {1}</source>
        <translation>{0} が {1} に確認済み</translation>
    </message>
</context>
<context>
    <name>ConnectDialog</name>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="35"/>
        <source>Connect to the Fumidai backend</source>
        <translation>Fumidai サーバーに接続</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="42"/>
        <source>the token printed by `fumidai staff add`</source>
        <translation>`fumidai staff add` が表示したトークン</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="43"/>
        <source>Remember the token on this computer</source>
        <translation>このコンピューターにトークンを保存する</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="49"/>
        <source>No system keyring is available: a remembered token is stored unencrypted in the desk&apos;s settings file.</source>
        <translation>システムのキーリングが使えません。保存したトークンは設定ファイルに暗号化されずに保存されます。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="54"/>
        <source>Backend URL</source>
        <translation>サーバー URL</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="55"/>
        <source>Token</source>
        <translation>トークン</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="57"/>
        <source>Connect</source>
        <translation>接続</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="71"/>
        <source>Enter the backend URL and your token.</source>
        <translation>サーバー URL とトークンを入力してください。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/connect_dialog.py" line="73"/>
        <source>Connecting…</source>
        <translation>接続中…</translation>
    </message>
</context>
<context>
    <name>CountryPicker</name>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/countries.py" line="35"/>
        <source>Type a country&apos;s name or code</source>
        <translation>国名またはコードを入力</translation>
    </message>
</context>
<context>
    <name>DetachedMap</name>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="75"/>
        <source>Fumidai — sending sources by country</source>
        <translation>Fumidai — 国別の送信元</translation>
    </message>
</context>
<context>
    <name>EgressPanel</name>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="76"/>
        <source>Address</source>
        <translation>アドレス</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="76"/>
        <source>List</source>
        <translation>リスト</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="76"/>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="77"/>
        <source>Since</source>
        <translation>開始</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="77"/>
        <source>Delisting</source>
        <translation>掲載解除</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="77"/>
        <source>List&apos;s text</source>
        <translation>リストの説明</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="127"/>
        <source>listed</source>
        <translation>掲載中</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="127"/>
        <source>not listed</source>
        <translation>未掲載</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="128"/>
        <source>check failed</source>
        <translation>確認失敗</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="150"/>
        <source>since {since}, checked {checked}</source>
        <translation>{since} から、{checked} に確認</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="153"/>
        <source>Double-click to open the list&apos;s delisting page</source>
        <translation>ダブルクリックで掲載解除ページを開きます</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="162"/>
        <source>No blocklist answers yet</source>
        <translation>ブロックリストの確認結果はまだありません</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="164"/>
        <source>{n} of {total} checks: listed</source>
        <translation>{total} 件中 {n} 件で掲載中</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/egress.py" line="166"/>
        <source>Not listed on any of {total} checks</source>
        <translation>{total} 件すべてで未掲載</translation>
    </message>
</context>
<context>
    <name>GraphicsScene</name>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="64"/>
        <source>Export...</source>
        <translation>書き出し...</translation>
    </message>
</context>
<context>
    <name>IncidentsPanel</name>
    <message>
        <location filename="../../app/fumidai/desk/incidents.py" line="32"/>
        <source>open</source>
        <translation>未対応</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/incidents.py" line="33"/>
        <source>investigating</source>
        <translation>調査中</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/incidents.py" line="34"/>
        <source>closed</source>
        <translation>完了</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/incidents.py" line="89"/>
        <source>#</source>
        <translation>番号</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/incidents.py" line="89"/>
        <source>Account</source>
        <translation>アカウント</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/incidents.py" line="89"/>
        <source>Owner</source>
        <translation>担当者</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/incidents.py" line="89"/>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/incidents.py" line="90"/>
        <source>Updated</source>
        <translation>更新</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/incidents.py" line="90"/>
        <source>Last note</source>
        <translation>最新のメモ</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/incidents.py" line="91"/>
        <source>Claim</source>
        <translation>担当する</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/incidents.py" line="92"/>
        <source>Make yourself the owner: the other desks see who is on it</source>
        <translation>自分を担当者にする (他のデスクにも誰が対応中か表示されます)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/incidents.py" line="95"/>
        <source>Note for the next shift (stored with the incident)</source>
        <translation>次のシフトへのメモ (インシデントと一緒に保存されます)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/incidents.py" line="96"/>
        <source>Add note</source>
        <translation>メモを追加</translation>
    </message>
</context>
<context>
    <name>LimitField</name>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="128"/>
        <source>unlimited</source>
        <translation>無制限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="130"/>
        <source>default: {0}</source>
        <translation>既定値: {0}</translation>
    </message>
</context>
<context>
    <name>ListingSenders</name>
    <message>
        <location filename="../../app/fumidai/desk/listing_senders.py" line="78"/>
        <source>Account</source>
        <translation>アカウント</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/listing_senders.py" line="78"/>
        <source>Messages</source>
        <translation>通数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/listing_senders.py" line="78"/>
        <source>Recipients</source>
        <translation>宛先数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/listing_senders.py" line="79"/>
        <source>Refused</source>
        <translation>拒否</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/listing_senders.py" line="80"/>
        <source>Hours before:</source>
        <translation>掲載前の時間:</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/listing_senders.py" line="81"/>
        <source> h</source>
        <translation> 時間</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/listing_senders.py" line="82"/>
        <source>Counts are per account, not per egress address: the submission servers relay everything through the egress addresses. Double-click an account to investigate it.</source>
        <translation>件数はアカウントごとで、送信元アドレスごとではありません（サブミッションサーバーはすべてのメールを送信元アドレス経由で中継します）。ダブルクリックでアカウントを調べます。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/listing_senders.py" line="135"/>
        <source>{egress} is not listed now</source>
        <translation>{egress} は現在掲載されていません</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/listing_senders.py" line="137"/>
        <source>{egress}: no account sent mail in the {hours} hours before the listing ({at})</source>
        <translation>{egress}: 掲載（{at}）前の {hours} 時間に送信したアカウントはありません</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/listing_senders.py" line="140"/>
        <source>{egress}: accounts that sent most in the {hours} hours before the listing ({at})</source>
        <translation>{egress}: 掲載（{at}）前の {hours} 時間に送信の多かったアカウント</translation>
    </message>
</context>
<context>
    <name>LivePlot</name>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="382"/>
        <source>Last hour</source>
        <translation>直近1時間</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="384"/>
        <source>Last day</source>
        <translation>直近1日</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="555"/>
        <source>messages / minute</source>
        <translation>通数 / 分</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="518"/>
        <source>other</source>
        <translation>その他</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="72"/>
        <source>hourly quota {n}/h</source>
        <translation>1時間上限 {n}/時</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="73"/>
        <source>daily quota {n}/day</source>
        <translation>1日上限 {n}/日</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="74"/>
        <source>hourly recipient quota {n}/h</source>
        <translation>1時間の宛先数上限 {n}/時</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="75"/>
        <source>daily recipient quota {n}/day</source>
        <translation>1日の宛先数上限 {n}/日</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="381"/>
        <source>1 h</source>
        <translation>1時間</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="383"/>
        <source>24 h</source>
        <translation>24時間</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="385"/>
        <source>The dashed line is the quota spread evenly, as a pace per minute</source>
        <translation>破線は上限を均等にならした1分あたりのペースです</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="518"/>
        <source>accepted recipients</source>
        <translation>受け付けた宛先数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="525"/>
        <source>refused attempts</source>
        <translation>拒否した送信試行</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="525"/>
        <source>refused recipients</source>
        <translation>拒否した宛先数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="530"/>
        <source>refused attempts (messages)</source>
        <translation>拒否した送信試行 (通数)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="553"/>
        <source>recipients / minute</source>
        <translation>宛先数 / 分</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="561"/>
        <source>Recipients of {names}, all source countries</source>
        <translation>{names} の宛先数 (全送信元国)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="563"/>
        <source>Recipients of {names}, by source country</source>
        <translation>{names} の宛先数 (送信元国別)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="565"/>
        <source>Sending of {names}, by source country</source>
        <translation>{names} の送信 (送信元国別)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/live_plot.py" line="567"/>
        <source>Top senders now (select accounts in the table to see them by country)</source>
        <translation>現在の上位送信者 (表でアカウントを選ぶと国別に表示)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="55"/>
        <location filename="../../app/fumidai/desk/main_window.py" line="345"/>
        <source>System</source>
        <translation>システムに従う</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="323"/>
        <source>unknown role</source>
        <translation>権限不明</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="325"/>
        <source>Fumidai abuse desk — {backend} — {who}</source>
        <translation>Fumidai 不正利用対応デスク — {backend} — {who}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="327"/>
        <source>Live</source>
        <translation>ライブ</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="328"/>
        <source>Trends</source>
        <translation>傾向</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="329"/>
        <source>Alerts</source>
        <translation>アラート</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="330"/>
        <source>Incidents</source>
        <translation>インシデント</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="332"/>
        <source>Account</source>
        <translation>アカウント</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="333"/>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="334"/>
        <source>&amp;Account</source>
        <translation>アカウント(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="335"/>
        <source>Theme</source>
        <translation>テーマ</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="336"/>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="337"/>
        <source>Follow the system</source>
        <translation>システムに従う</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="337"/>
        <source>Light</source>
        <translation>ライト</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="338"/>
        <source>Dark</source>
        <translation>ダーク</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="340"/>
        <source>Pause live updates</source>
        <translation>ライブ更新を一時停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="341"/>
        <source>Keep the table still while you work (Space)</source>
        <translation>作業中は表を止めておく (Space)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="342"/>
        <source>Refresh now</source>
        <translation>今すぐ更新</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="343"/>
        <source>Find account</source>
        <translation>アカウントを検索</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="355"/>
        <source>Your role (viewer) can look but not change accounts</source>
        <translation>あなたの権限 (閲覧者) では参照のみ可能で、アカウントは変更できません</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="393"/>
        <source>The language changes at the next start.</source>
        <translation>言語は次回の起動時に切り替わります。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="406"/>
        <source>{rate:,.1f} msg/min · {active:,} sending now (5 min) · {limited:,} limited · {stopped:,} stopped</source>
        <translation>{rate:,.1f} 通/分 · 送信中 {active:,} (5分間) · 制限中 {limited:,} · 停止 {stopped:,}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="444"/>
        <source>Egress reputation</source>
        <translation>送信元の評判</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="484"/>
        <source>waiting for the first update…</source>
        <translation>最初の更新を待っています…</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="486"/>
        <source>last update {n} s ago</source>
        <translation>最終更新 {n} 秒前</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="488"/>
        <source>paused (Space to resume)</source>
        <translation>一時停止中 (Space で再開)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="491"/>
        <source>next refresh in {n} s</source>
        <translation>次の更新まで {n} 秒</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="494"/>
        <source>No data yet: the backend does not answer. Retrying.</source>
        <translation>データがありません: サーバーが応答しません。再試行しています。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/main_window.py" line="496"/>
        <source>Stale data: last update {n} s ago. Retrying.</source>
        <translation>古いデータです: 最終更新 {n} 秒前。再試行しています。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/app.py" line="94"/>
        <source>No system keyring: the token is stored unencrypted in the settings file.</source>
        <translation>システムのキーリングがありません: トークンは設定ファイルに暗号化されずに保存されています。</translation>
    </message>
</context>
<context>
    <name>MapPane</name>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="17"/>
        <source>5 min</source>
        <translation>5分</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="17"/>
        <source>1 h</source>
        <translation>1時間</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="18"/>
        <source>24 h</source>
        <translation>24時間</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="19"/>
        <source>Accepted</source>
        <translation>受理</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="20"/>
        <source>Refused</source>
        <translation>拒否</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="21"/>
        <source>Both</source>
        <translation>両方</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="83"/>
        <source>Sending sources by country</source>
        <translation>国別の送信元</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="87"/>
        <source>Colour by mail accepted</source>
        <translation>受理したメールの数で色分け</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="88"/>
        <source>Colour by attempts refused (quotas, caps, suspensions)</source>
        <translation>拒否した送信の数で色分け (上限・国別上限・停止)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="89"/>
        <source>Colour by every attempt, accepted or refused</source>
        <translation>受理・拒否を合わせた送信の数で色分け</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="90"/>
        <source>Detach</source>
        <translation>切り離す</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="91"/>
        <source>Open the map in a window of its own, to enlarge or move</source>
        <translation>地図を別ウィンドウで開く (拡大・移動できます)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="92"/>
        <source>Wall mode</source>
        <translation>壁面表示</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/map_pane.py" line="93"/>
        <source>Full screen for a wall display: map, totals, alerts, top accounts (Esc to leave)</source>
        <translation>壁面ディスプレイ用の全画面表示: 地図・合計・アラート・上位アカウント (Esc で終了)</translation>
    </message>
</context>
<context>
    <name>NoticeDialog</name>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="191"/>
        <source>Send a notice</source>
        <translation>通知を送信</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="206"/>
        <source>Send</source>
        <translation>送信</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="243"/>
        <source>Last notice {0:.0f} h ago: {1} ({2}), {3}, by {4}</source>
        <translation>前回の通知は {0:.0f} 時間前: {1} ({2})、{3}、担当 {4}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="259"/>
        <source>Sending…</source>
        <translation>送信中…</translation>
    </message>
</context>
<context>
    <name>NoticePreview</name>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="77"/>
        <source>Loading templates…</source>
        <translation>テンプレートを読み込み中…</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="84"/>
        <source>Template</source>
        <translation>テンプレート</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="85"/>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="88"/>
        <source>To</source>
        <translation>宛先</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="128"/>
        <source>The backend has no notice templates.</source>
        <translation>サーバーに通知テンプレートがありません。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="162"/>
        <source>This letter does not match the account: it is {0} now.</source>
        <translation>この文面はアカウントの現状と合いません（現在: {0}）。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="163"/>
        <source>suspended</source>
        <translation>送信停止中</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="163"/>
        <source>not suspended</source>
        <translation>停止していません</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/notice.py" line="167"/>
        <source>Rendering…</source>
        <translation>作成中…</translation>
    </message>
</context>
<context>
    <name>QuotaDialog</name>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="50"/>
        <source>Messages per hour</source>
        <translation>1時間あたりの通数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="51"/>
        <source>Messages per day</source>
        <translation>1日あたりの通数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="52"/>
        <source>Recipients per hour</source>
        <translation>1時間あたりの宛先数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="53"/>
        <source>Recipients per day</source>
        <translation>1日あたりの宛先数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="54"/>
        <source>Recipients per message</source>
        <translation>1通あたりの宛先数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="55"/>
        <source>Unique recipients per day</source>
        <translation>1日あたりの異なる宛先数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="57"/>
        <source>Standard</source>
        <translation>標準</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="57"/>
        <source>Strict</source>
        <translation>厳しめ</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="58"/>
        <source>Traveller</source>
        <translation>海外渡航中</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="58"/>
        <source>Bulk sender</source>
        <translation>大量送信者</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="119"/>
        <source>unlimited</source>
        <translation>無制限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="151"/>
        <source>Limits for {0}</source>
        <translation>{0} の送信上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="158"/>
        <source>Custom</source>
        <translation>カスタム</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="163"/>
        <source>Account quota</source>
        <translation>アカウントの送信上限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="170"/>
        <source>From abroad (outside the home countries)</source>
        <translation>国外から (利用国以外)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="177"/>
        <source>default: {0}</source>
        <translation>既定値: {0}</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="179"/>
        <source>Home countries</source>
        <translation>利用国</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="181"/>
        <source>Per-country caps (empty cell: no limit)</source>
        <translation>国別上限 (空欄: 制限なし)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="183"/>
        <source>Country</source>
        <translation>国</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="185"/>
        <source>Add country</source>
        <translation>国を追加</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="186"/>
        <source>Remove country</source>
        <translation>国を削除</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="198"/>
        <source>Temporary, until</source>
        <translation>期限付き</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="207"/>
        <source>Reason (required, stored in the audit log)</source>
        <translation>理由 (必須、監査ログに記録されます)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="210"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="216"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="217"/>
        <source>Back to defaults</source>
        <translation>既定値に戻す</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="226"/>
        <source>Preset</source>
        <translation>プリセット</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="293"/>
        <source>Add a country cap</source>
        <translation>国別上限を追加</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="330"/>
        <source>abroad: </source>
        <translation>国外: </translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="331"/>
        <source>{where}{small} ({a:,}) is more than {large} ({b:,})</source>
        <translation>{where}{small} ({a:,}) が {large} ({b:,}) を超えています</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="344"/>
        <source>Give a reason to go back to the defaults.</source>
        <translation>既定値に戻す理由を入力してください。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="354"/>
        <source>row {0}: {1!r} is not an ISO 3166 country code (e.g. CN)</source>
        <translation>{0} 行目: {1!r} は ISO 3166 の国コードではありません (例: CN)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="357"/>
        <source>{0} appears twice in the country caps</source>
        <translation>国別上限に {0} が2回あります</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="374"/>
        <source>home countries: {0!r} is not an ISO 3166 country code</source>
        <translation>利用国: {0!r} は ISO 3166 の国コードではありません</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="402"/>
        <source>the expiry must be in the future</source>
        <translation>期限は未来の日時にしてください</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/quota.py" line="406"/>
        <source>a reason is required</source>
        <translation>理由を入力してください</translation>
    </message>
</context>
<context>
    <name>RatesPanel</name>
    <message>
        <location filename="../../app/fumidai/desk/rates_panel.py" line="147"/>
        <source>Search account or contact (Ctrl+F)</source>
        <translation>アカウントまたは連絡先を検索 (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_panel.py" line="150"/>
        <source>Show only accounts in this state; several chips combine</source>
        <translation>この状態のアカウントだけを表示 (複数選択可)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_panel.py" line="189"/>
        <source>Filtered to country {code}  ×</source>
        <translation>国 {code} で絞り込み中  ×</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_panel.py" line="190"/>
        <source>Show every country again</source>
        <translation>すべての国を表示</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/rates_panel.py" line="193"/>
        <source>{shown} of {total} accounts</source>
        <translation>{total} 件中 {shown} 件</translation>
    </message>
</context>
<context>
    <name>ReleaseDialog</name>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="30"/>
        <source>The owner has reset the password</source>
        <translation>利用者がパスワードを変更した</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="31"/>
        <source>The owner&apos;s devices were scanned for malware</source>
        <translation>利用者の端末をウイルス検査した</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="32"/>
        <source>Forwarding rules and auto-replies were checked for changes by the intruder</source>
        <translation>転送設定と自動返信が不正に変更されていないか確認した</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="50"/>
        <source>Release sending</source>
        <translation>送信停止の解除</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="53"/>
        <source>Before you release: recommended steps</source>
        <translation>解除の前に: 推奨される確認事項</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="63"/>
        <source>Reason (stored in the audit log)</source>
        <translation>理由 (監査ログに記録されます)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="67"/>
        <source>I confirm that {0} is back under its owner&apos;s control.</source>
        <translation>{0} が利用者の管理下に戻ったことを確認しました。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="71"/>
        <source>Confirmed</source>
        <translation>確認済み</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="75"/>
        <source>Send the owner the restored letter</source>
        <translation>利用者に送信再開のお知らせを送る</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="89"/>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="112"/>
        <source>Release</source>
        <translation>解除</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/release.py" line="112"/>
        <source>Release and send the restored letter</source>
        <translation>解除して再開のお知らせを送る</translation>
    </message>
</context>
<context>
    <name>SuspendDialog</name>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="33"/>
        <source>Sending far above its quota: account probably hijacked</source>
        <translation>送信上限を大幅に超過: 乗っ取りの疑い</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="34"/>
        <source>Spam complaints from recipients</source>
        <translation>受信者からの迷惑メール苦情</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="35"/>
        <source>Logins from countries the owner never uses</source>
        <translation>利用者が使わない国からのログイン</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="36"/>
        <source>Owner asked us to stop sending</source>
        <translation>利用者からの送信停止依頼</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="58"/>
        <source>Suspend sending</source>
        <translation>送信停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="62"/>
        <source>Stop these {0} accounts from sending mail. Receiving and reading mail keep working.</source>
        <translation>以下の {0} アカウントのメール送信を停止します。受信と閲覧は引き続き可能です。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="65"/>
        <source>Stop {0} from sending mail. Receiving and reading mail keep working.</source>
        <translation>{0} のメール送信を停止します。受信と閲覧は引き続き可能です。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="76"/>
        <source>Notify the owner</source>
        <translation>利用者に通知する</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="85"/>
        <source>Until</source>
        <translation>期限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="86"/>
        <source>Without a date the account stays stopped until someone releases it</source>
        <translation>期限がなければ、担当者が解除するまで停止したままです</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="92"/>
        <source>Local time of this desk</source>
        <translation>この端末の現地時刻</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="101"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="105"/>
        <source>Template</source>
        <translation>テンプレート</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="107"/>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="110"/>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="144"/>
        <source>Suspend</source>
        <translation>送信停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="143"/>
        <source>Suspend {0} accounts</source>
        <translation>{0} アカウントを送信停止</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/suspend.py" line="144"/>
        <source>Suspend and send this letter</source>
        <translation>停止してこの文面を送る</translation>
    </message>
</context>
<context>
    <name>TravelDialog</name>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/travel.py" line="41"/>
        <source>Travel permission for {0}</source>
        <translation>{0} の渡航中の送信許可</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/travel.py" line="43"/>
        <source>{0} may send from these countries until the date below; their mail is not held as an intrusion from abroad.</source>
        <translation>{0} は下の日時まで、これらの国から送信できます。海外からの不正利用として止められません。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/travel.py" line="51"/>
        <source>Now allowed: {0} until {1}</source>
        <translation>現在の許可: {0} ({1} まで)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/travel.py" line="58"/>
        <source>Local time of this desk</source>
        <translation>この端末の現地時刻</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/travel.py" line="60"/>
        <source>Reason (stored in the audit log)</source>
        <translation>理由 (監査ログに記録されます)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/travel.py" line="66"/>
        <source>Allow</source>
        <translation>許可</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/travel.py" line="67"/>
        <source>End the permission</source>
        <translation>許可を終了</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/travel.py" line="74"/>
        <source>Until</source>
        <translation>期限</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/travel.py" line="75"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/travel.py" line="90"/>
        <source>Tick at least one country</source>
        <translation>国を1つ以上選んでください</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/travel.py" line="92"/>
        <source>the expiry must be in the future</source>
        <translation>期限は未来の日時にしてください</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/dialogs/travel.py" line="94"/>
        <source>a reason is required</source>
        <translation>理由を入力してください</translation>
    </message>
</context>
<context>
    <name>TrendsView</name>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="126"/>
        <source> days</source>
        <translation> 日間</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="127"/>
        <source>Reload</source>
        <translation>再読み込み</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="128"/>
        <source>Messages per day</source>
        <translation>1日あたりの通数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="130"/>
        <source>accepted</source>
        <translation>受付</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="130"/>
        <source>refused</source>
        <translation>拒否</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="215"/>
        <source>Last {n} days: {0:.1%} of messages refused, {1} automatic stops.</source>
        <translation>直近 {n} 日: 拒否 {0:.1%}、自動停止 {1} 件。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="218"/>
        <source>The {n} days before: {0:.1%} refused, {1} stops.</source>
        <translation>その前の {n} 日: 拒否 {0:.1%}、停止 {1} 件。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="129"/>
        <source>Automatic stops per day</source>
        <translation>1日あたりの自動停止数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="131"/>
        <source>Country</source>
        <translation>国</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="131"/>
        <source>Messages</source>
        <translation>通数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="131"/>
        <source>Share</source>
        <translation>割合</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/trends.py" line="220"/>
        <source>No data for this period.</source>
        <translation>この期間のデータはありません。</translation>
    </message>
</context>
<context>
    <name>UndoToast</name>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="423"/>
        <source>Undo</source>
        <translation>元に戻す</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="338"/>
        <source>Suspended {0}</source>
        <translation>{0} を送信停止しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="339"/>
        <location filename="../../app/fumidai/desk/actions.py" line="340"/>
        <source>Released {0}</source>
        <translation>{0} の停止を解除しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="341"/>
        <source>Limits changed for {0}</source>
        <translation>{0} の送信上限を変更しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="342"/>
        <source>Limits back to the defaults for {0}</source>
        <translation>{0} の送信上限を既定値に戻しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="343"/>
        <source>Travel permission for {0}</source>
        <translation>{0} の渡航中の送信許可</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="344"/>
        <source>Travel permission ended for {0}</source>
        <translation>{0} の渡航中の送信許可を終了しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="385"/>
        <source>Undo the last action</source>
        <translation>直前の操作を元に戻す</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="423"/>
        <source>Undo ({0} s)</source>
        <translation>元に戻す ({0} 秒)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="430"/>
        <source>Suspended {0} accounts</source>
        <translation>{0} アカウントを送信停止しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/actions.py" line="432"/>
        <source>{0} actions</source>
        <translation>{0} 件の操作</translation>
    </message>
</context>
<context>
    <name>WallWindow</name>
    <message>
        <location filename="../../app/fumidai/desk/wall.py" line="133"/>
        <source>Fumidai — wall</source>
        <translation>Fumidai — 壁面表示</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/wall.py" line="134"/>
        <source>Fumidai — sending sources</source>
        <translation>Fumidai — 送信元</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/wall.py" line="135"/>
        <source>Newest alerts</source>
        <translation>最新のアラート</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/wall.py" line="136"/>
        <source>Top accounts (msg/min)</source>
        <translation>上位アカウント (通/分)</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/wall.py" line="142"/>
        <source>Last {0} · accepted and refused</source>
        <translation>直近 {0} · 受理と拒否</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/wall.py" line="169"/>
        <source>{rate:,.0f} msg/min · {active:,} sending · {limited:,} limited · {stopped:,} stopped</source>
        <translation>{rate:,.0f} 通/分 · 送信中 {active:,} · 制限中 {limited:,} · 停止 {stopped:,}</translation>
    </message>
</context>
<context>
    <name>WorldMapView</name>
    <message>
        <location filename="../../app/fumidai/desk/world_map.py" line="442"/>
        <location filename="../../app/fumidai/desk/world_map.py" line="450"/>
        <source>Messages</source>
        <translation>通数</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/world_map.py" line="442"/>
        <source>Refused attempts</source>
        <translation>拒否した送信</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/world_map.py" line="443"/>
        <source>Attempts</source>
        <translation>送信の試み</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/world_map.py" line="450"/>
        <source>Accounts</source>
        <translation>アカウント</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/world_map.py" line="450"/>
        <source>Refused</source>
        <translation>拒否</translation>
    </message>
</context>
<context>
    <name>language</name>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="13"/>
        <source>en</source>
        <translation>ja</translation>
    </message>
</context>
<context>
    <name>messages</name>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="19"/>
        <source>the server&apos;s certificate has expired</source>
        <translation>サーバー証明書の有効期限が切れています</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="20"/>
        <source>the server&apos;s certificate is not signed by a trusted authority</source>
        <translation>サーバー証明書が信頼できる認証局によって署名されていません</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="21"/>
        <source>the server&apos;s certificate is for another host name</source>
        <translation>サーバー証明書のホスト名が一致しません</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="22"/>
        <source>the secure connection failed</source>
        <translation>暗号化接続に失敗しました</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="23"/>
        <source>Cannot trust {url}: {what}.</source>
        <translation>{url} を信頼できません: {what}。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="25"/>
        <source>The backend at {url} did not answer in time.</source>
        <translation>{url} のサーバーが時間内に応答しませんでした。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="27"/>
        <source>Cannot reach the backend at {url}; check the address and that the server runs.</source>
        <translation>{url} のサーバーに接続できません。アドレスとサーバーの稼働を確認してください。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="30"/>
        <source>The backend refused the token (wrong, expired or revoked).</source>
        <translation>サーバーがトークンを拒否しました (誤り・期限切れ・失効)。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="32"/>
        <source>Your role does not allow this action.</source>
        <translation>あなたの権限ではこの操作はできません。</translation>
    </message>
    <message>
        <location filename="../../app/fumidai/desk/messages.py" line="34"/>
        <source>The backend answered an error: {detail}</source>
        <translation>サーバーがエラーを返しました: {detail}</translation>
    </message>
</context>
</TS>
