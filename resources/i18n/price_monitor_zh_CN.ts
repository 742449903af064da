<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AlertHistoryPanel</name>
    <message>
        <location filename="../../app/ui/alert_history.py" line="160"/>
        <source>Newer</source>
        <translation>较新</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="161"/>
        <source>Older</source>
        <translation>较早</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="209"/>
        <source>Show on chart</source>
        <translation>在图表中显示</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="212"/>
        <source>Copy receipt</source>
        <translation>复制回执</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="235"/>
        <source>Page %1 of %2 · %3 alerts</source>
        <translation>第 %1/%2 页 · 共 %3 条预警</translation>
    </message>
</context>
<context>
    <name>AlertPopup</name>
    <message>
        <location filename="../../app/ui/popup.py" line="145"/>
        <source>Price alert</source>
        <extracomment>Auto-close delay for entry and take-profit popups. Auto-close delay for stop-loss popups; 0 means &quot;stay until acknowledged&quot;. More popups than this and the oldest are closed (they remain in the history). How long &quot;Snooze&quot; hides a card before it comes back (0 hides the button). Window flags shared by popups and the overflow notice: no taskbar entry, no frame, above QMT, and never given keyboard focus.</extracomment>
        <translation>价格预警</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/popup.py" line="192"/>
        <source>Snooze %n min</source>
        <translation>
            <numerusform>稍后提醒（%n 分钟）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="301"/>
        <source>Price: {price}</source>
        <translation>价格：{price}</translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="305"/>
        <source>Level: {level}</source>
        <translation>触发价位：{level}</translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="314"/>
        <source>Market time: {time}</source>
        <translation>行情时间：{time}</translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="327"/>
        <source>Show on chart</source>
        <translation>在图表中查看</translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="331"/>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="344"/>
        <source>backfill</source>
        <translation>补数据</translation>
    </message>
    <message>
        <location filename="../../app/ui/popup.py" line="346"/>
        <source>replay</source>
        <translation>回放</translation>
    </message>
</context>
<context>
    <name>AlertTableModel</name>
    <message>
        <location filename="../../app/ui/alert_history.py" line="73"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="74"/>
        <source>Symbol</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="75"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="76"/>
        <source>Alert</source>
        <translation>预警</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="77"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="78"/>
        <source>Level</source>
        <translation>价位</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="79"/>
        <source>Previous price</source>
        <translation>前一价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="80"/>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="81"/>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="100"/>
        <source>Recorded at %1</source>
        <translation>记录于 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="123"/>
        <source>live</source>
        <translation>实时</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="124"/>
        <source>backfill</source>
        <translation>补数据</translation>
    </message>
    <message>
        <location filename="../../app/ui/alert_history.py" line="125"/>
        <source>replay</source>
        <translation>回放</translation>
    </message>
</context>
<context>
    <name>AlertTray</name>
    <message>
        <location filename="../../app/ui/tray.py" line="204"/>
        <source>{kind}: {symbol}</source>
        <extracomment>How long a balloon stays up (Windows may clamp this to its own setting). How long &quot;Mute sounds&quot; lasts: a meeting or a call, never the rest of the day. Popups, the tray and the history still show every alert while muted. Balloons for alerts (the trader may turn them off: popups already show them).</extracomment>
        <translation>{kind}：{symbol}</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="211"/>
        <source>Price {price} (level {level})</source>
        <translation>价格 {price}（价位 {level}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="217"/>
        <source>Backfill: fired on data received after a gap</source>
        <translation>补数据：断线后补回的数据触发</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="219"/>
        <source>Replay: not a live alert</source>
        <translation>回放：非实时预警</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/tray.py" line="224"/>
        <source>Price Monitor - %n unread alert(s)</source>
        <translation>
            <numerusform>价格监控 - %n 条未读预警</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="225"/>
        <source>Price Monitor</source>
        <translation>价格监控</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="231"/>
        <source>Show window</source>
        <translation>显示窗口</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/tray.py" line="233"/>
        <source>Mute sounds for %n min</source>
        <translation>
            <numerusform>静音 %n 分钟</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="236"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
</context>
<context>
    <name>Alerts</name>
    <message>
        <location filename="../../app/ui/formatting.py" line="48"/>
        <source>Stop loss</source>
        <extracomment>Shown wherever a value is missing (no previous price, no time, ...). Significant digits kept when printing a float. 12 is well beyond any exchange tick size yet short enough to swallow binary float noise (0.1 + 0.2). Colours per alert kind; popups and the history view use the same ones so the trader learns one code. Stop loss is red, take profit green, entry blue.</extracomment>
        <translation>止损</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="50"/>
        <source>Take profit</source>
        <translation>止盈</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="52"/>
        <source>Entry zone</source>
        <translation>进场区间</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="54"/>
        <source>Crossed up</source>
        <translation>上穿</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="56"/>
        <source>Crossed down</source>
        <translation>下穿</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="58"/>
        <source>Rise reached</source>
        <translation>涨幅达标</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="60"/>
        <source>Fall reached</source>
        <translation>跌幅达标</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="62"/>
        <source>Trailing stop</source>
        <translation>回落卖出</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="64"/>
        <source>Trailing entry</source>
        <translation>反弹买入</translation>
    </message>
</context>
<context>
    <name>ApiKeyFields</name>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="113"/>
        <source>API keys (optional)</source>
        <translation>API 密钥（可选）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="118"/>
        <source>Only needed for account data; public prices need no keys. Stored in the operating system&apos;s keyring, never in files.</source>
        <translation>仅在需要账户数据时填写，公开行情无需密钥。密钥保存在操作系统的钥匙串中，绝不写入文件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="125"/>
        <source>Forget stored keys</source>
        <translation>删除已保存的密钥</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="130"/>
        <source>API key:</source>
        <translation>API Key：</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="131"/>
        <source>Secret:</source>
        <translation>Secret Key：</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="132"/>
        <source>Passphrase:</source>
        <translation>Passphrase（口令）：</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="151"/>
        <source>Stored — leave empty to keep</source>
        <translation>已保存——留空则保留</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="151"/>
        <source>Optional</source>
        <translation>可选</translation>
    </message>
</context>
<context>
    <name>CandleChart</name>
    <message>
        <location filename="../../app/ui/chart.py" line="109"/>
        <source>Waiting for data…</source>
        <translation>等待数据…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart.py" line="631"/>
        <source>{time}  O {open}  H {high}  L {low}  C {close}  V {volume}</source>
        <translation>{time}  开 {open}  高 {high}  低 {low}  收 {close}  量 {volume}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_levels.py" line="176"/>
        <source>Drag to move this level; release to save it</source>
        <translation>拖动可移动此价位，松开即保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_levels.py" line="258"/>
        <source>{level} · {name}</source>
        <translation>{level} · {name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_levels.py" line="265"/>
        <source>{level} ({pct} from cost)</source>
        <translation>{level}（成本 {pct}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_levels.py" line="281"/>
        <source>TP {price}</source>
        <translation>止盈 {price}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_levels.py" line="285"/>
        <source>SL {price}</source>
        <translation>止损 {price}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_levels.py" line="289"/>
        <source>Cross ↑ {price}</source>
        <translation>上穿 {price}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_levels.py" line="291"/>
        <source>Cross ↓ {price}</source>
        <translation>下穿 {price}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_levels.py" line="293"/>
        <source>Cross {price}</source>
        <translation>穿越 {price}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_levels.py" line="299"/>
        <source>Trailing stop from {price}</source>
        <translation>回落卖出启动 {price}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_levels.py" line="304"/>
        <source>Trailing entry from {price}</source>
        <translation>反弹买入启动 {price}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_levels.py" line="317"/>
        <source>Entry {price}</source>
        <translation>进场 {price}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_levels.py" line="334"/>
        <source>Entry {low}–{high}</source>
        <translation>进场区间 {low}–{high}</translation>
    </message>
</context>
<context>
    <name>ChartRuleEditor</name>
    <message>
        <location filename="../../app/ui/chart_rules.py" line="100"/>
        <source>✗ %1</source>
        <extracomment>How long the mouse must rest on a dragged line before the dry run is worked out.</extracomment>
        <translation>✗ %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/chart_rules.py" line="105"/>
        <source>Would have fired %n time(s) on the loaded bars</source>
        <translation>
            <numerusform>在已加载的K线上会触发 %n 次</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_rules.py" line="148"/>
        <source>“%1”: %2 is now %3</source>
        <translation>“%1”：%2 已改为 %3</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_rules.py" line="177"/>
        <source>At %1</source>
        <translation>价格 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_rules.py" line="183"/>
        <source>Stop-loss here (“%1”)</source>
        <translation>在此设为止损（“%1”）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_rules.py" line="184"/>
        <source>Take-profit here (“%1”)</source>
        <translation>在此设为止盈（“%1”）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_rules.py" line="185"/>
        <source>Alert when price crosses here (“%1”)</source>
        <translation>价格穿越此处时提醒（“%1”）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_rules.py" line="193"/>
        <source>New rule: stop-loss here</source>
        <translation>新建规则：在此止损</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_rules.py" line="194"/>
        <source>New rule: take-profit here</source>
        <translation>新建规则：在此止盈</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_rules.py" line="195"/>
        <source>New rule: alert when price crosses here</source>
        <translation>新建规则：价格穿越此处时提醒</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_rules.py" line="237"/>
        <source>%1 crosses %2</source>
        <translation>%1 穿越 %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_rules.py" line="246"/>
        <source>%1 stop-loss %2</source>
        <translation>%1 止损 %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/chart_rules.py" line="247"/>
        <source>%1 take-profit %2</source>
        <translation>%1 止盈 %2</translation>
    </message>
</context>
<context>
    <name>FeedHealth</name>
    <message>
        <location filename="../../app/ui/feed_health.py" line="66"/>
        <source>Feed health</source>
        <translation>行情源健康</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="72"/>
        <source>Connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="73"/>
        <source>Backfilling</source>
        <translation>补数据中</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="74"/>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="75"/>
        <source>STALE (no data)</source>
        <translation>停滞（无数据）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="76"/>
        <source>Reconnecting</source>
        <translation>重连中</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="77"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="78"/>
        <source>Market closed</source>
        <translation>休市</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="86"/>
        <source>Invalid time</source>
        <translation>时间无效</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="87"/>
        <source>Invalid price</source>
        <translation>价格无效</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="88"/>
        <source>Time ahead of clock</source>
        <translation>时间超前</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="89"/>
        <source>Out of order</source>
        <translation>时间乱序</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="90"/>
        <source>Duplicate</source>
        <translation>重复</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="91"/>
        <source>Outside trading hours</source>
        <translation>非交易时段</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="92"/>
        <source>Crossed book (bid above ask)</source>
        <translation>盘口交叉（买价高于卖价）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="93"/>
        <source>Day high below low</source>
        <translation>最高价低于最低价</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="94"/>
        <source>Outside the day&apos;s high–low</source>
        <translation>超出当日高低</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="95"/>
        <source>Unconfirmed jump</source>
        <translation>跳价未确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="96"/>
        <source>Malformed message</source>
        <translation>消息格式错误</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="104"/>
        <source>Held for confirmation</source>
        <translation>暂扣待确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="105"/>
        <source>Jump confirmed</source>
        <translation>跳价已确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="106"/>
        <source>Volume counter reset</source>
        <translation>成交量计数重置</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="107"/>
        <source>Late print (closed bar revised)</source>
        <translation>迟到成交（已修正收盘K线）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="131"/>
        <source>every trade</source>
        <translation>逐笔成交</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="132"/>
        <source>ticker snapshots</source>
        <translation>行情快照</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="133"/>
        <source>REST polling</source>
        <translation>REST 轮询</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="134"/>
        <source>watchlist</source>
        <translation>自选列表</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="135"/>
        <source>loading xtquant</source>
        <translation>正在加载 xtquant</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="136"/>
        <source>loading instruments and history</source>
        <translation>正在加载合约信息和历史数据</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="141"/>
        <source>whole market, %1 codes</source>
        <translation>全市场，%1 只代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="152"/>
        <source>QMT terminal not reachable: %1</source>
        <translation>无法连接 QMT 终端：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="154"/>
        <source>no quotes for %1 s in a trading session: resubscribed</source>
        <translation>交易时段内 %1 秒没有行情：已重新订阅</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="156"/>
        <source>still no quotes %1 s after resubscribing</source>
        <translation>重新订阅 %1 秒后仍无行情</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="158"/>
        <source>terminal disconnected %1</source>
        <translation>终端已断开 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="160"/>
        <source>terminal not answering (%1)</source>
        <translation>终端无响应（%1）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="162"/>
        <source>resubscribe failed (%1)</source>
        <translation>重新订阅失败（%1）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="164"/>
        <source>xtquant could not be loaded (%1)</source>
        <translation>无法加载 xtquant（%1）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="174"/>
        <source>%1 — attempt %2, next try at %3</source>
        <translation>%1 — 第 %2 次重连，%3 再试</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="182"/>
        <source>Feed %1 silent for %2 s during trading hours — alerts are blind until it recovers</source>
        <translation>行情源 %1 在交易时段内已 %2 秒无数据——恢复前预警无法触发</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="195"/>
        <source>%1: STALE — no data for %2 s during trading hours, alerts are blind</source>
        <translation>%1：停滞——交易时段内已 %2 秒无数据，预警无法触发</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="203"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="205"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="206"/>
        <source>%1 ticks/s</source>
        <translation>%1 笔/秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="207"/>
        <source>dropped %1</source>
        <translation>已丢弃 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="210"/>
        <source>p99 %1 ms</source>
        <translation>p99 延迟 %1 毫秒</translation>
    </message>
</context>
<context>
    <name>FeedHealthPanel</name>
    <message>
        <location filename="../../app/ui/feed_health.py" line="324"/>
        <source>Feed</source>
        <translation>行情源</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="324"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="324"/>
        <source>Ticks/s</source>
        <translation>笔/秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="324"/>
        <source>Accepted</source>
        <translation>已接收</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="325"/>
        <source>Dropped</source>
        <translation>已丢弃</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="325"/>
        <source>Latency p50 (ms)</source>
        <translation>延迟 p50（毫秒）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="325"/>
        <source>Latency p99 (ms)</source>
        <translation>延迟 p99（毫秒）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="326"/>
        <source>Gaps open</source>
        <translation>未补缺口</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="326"/>
        <source>Gaps filled</source>
        <translation>已补缺口</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="326"/>
        <source>Gaps missing</source>
        <translation>无法补齐的缺口</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="328"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="328"/>
        <source>Count</source>
        <translation>次数</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="331"/>
        <source>Counted only; these ticks were not dropped</source>
        <translation>仅计数，这些行情未被丢弃</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="339"/>
        <source>Symbol</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="339"/>
        <source>Last tick time</source>
        <translation>最新行情时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="339"/>
        <source>Age (s)</source>
        <translation>距今（秒）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="340"/>
        <source>In session</source>
        <translation>交易时段内</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="340"/>
        <source>Stale</source>
        <translation>停滞</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="348"/>
        <source>Drop reasons</source>
        <translation>丢弃原因</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="353"/>
        <source>Symbols</source>
        <translation>品种</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="364"/>
        <source>Feeds</source>
        <translation>行情源</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="409"/>
        <source>Details of %1</source>
        <translation>%1 的明细</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="421"/>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="421"/>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_health.py" line="421"/>
        <source>STALE</source>
        <translation>停滞</translation>
    </message>
</context>
<context>
    <name>FeedSettingsDialog</name>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="292"/>
        <source>Data feed</source>
        <translation>行情源</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="306"/>
        <source>Demo (recorded data)</source>
        <translation>演示（回放历史行情）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="307"/>
        <source>Crypto exchange (ccxt)</source>
        <translation>加密货币交易所（ccxt）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="308"/>
        <location filename="../../app/ui/feed_settings.py" line="490"/>
        <source>QMT / MiniQMT (A-shares)</source>
        <translation>QMT / MiniQMT（A股）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="329"/>
        <source>Spot</source>
        <translation>现货</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="330"/>
        <source>Perpetual swap</source>
        <translation>永续合约</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="339"/>
        <source>Empty = the exchange&apos;s own servers; e.g. http://127.0.0.1:8765</source>
        <translation>留空 = 使用交易所官方服务器；例如 http://127.0.0.1:8765</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="346"/>
        <source>Empty = find the running terminal automatically</source>
        <translation>留空 = 自动查找正在运行的终端</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="350"/>
        <source>Also watch the whole A-share market (沪深A股, ~5,500 codes) for rules</source>
        <translation>同时监控全部A股（沪深A股，约 5,500 只）以触发规则</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="358"/>
        <source>Codes separated by commas, e.g. 600519.SH, 000001.SZ</source>
        <translation>用逗号分隔代码，例如 600519.SH, 000001.SZ</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="362"/>
        <source>The QMT terminal must be running in 极简模式 (MiniQMT) on this PC; the app connects to it through xtquant.</source>
        <translation>QMT 终端须在本机以极简模式（MiniQMT）运行；本程序通过 xtquant 连接它。</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="440"/>
        <source>The stored API keys for %1 were deleted.</source>
        <translation>已删除 %1 保存的 API 密钥。</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="477"/>
        <source>Crypto exchange</source>
        <translation>加密货币交易所</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="479"/>
        <source>Exchange:</source>
        <translation>交易所：</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="481"/>
        <source>Market type:</source>
        <translation>市场类型：</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="482"/>
        <source>Symbols:</source>
        <translation>交易对：</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="484"/>
        <source>Server address (developer: local test exchange):</source>
        <translation>服务器地址（开发者：本地测试交易所）：</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="492"/>
        <source>Codes:</source>
        <translation>代码：</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="495"/>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="574"/>
        <source>The operating system keyring is not available here, so API keys cannot be saved. Public market data works without them.</source>
        <translation>本机的系统钥匙串不可用，无法保存 API 密钥。公开行情数据无需密钥即可使用。</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="583"/>
        <source>The operating system keyring could not be read, so API keys cannot be saved. Public market data works without them.</source>
        <translation>无法读取系统钥匙串，无法保存 API 密钥。公开行情数据无需密钥即可使用。</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="589"/>
        <source>API keys for %1 are stored in the keyring.</source>
        <translation>%1 的 API 密钥已保存在系统钥匙串中。</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="591"/>
        <source>No API keys stored for %1.</source>
        <translation>尚未保存 %1 的 API 密钥。</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="621"/>
        <source>Choose an exchange.</source>
        <translation>请选择交易所。</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="623"/>
        <source>Unknown exchange: %1</source>
        <translation>未知交易所：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="627"/>
        <source>Add at least one symbol.</source>
        <translation>请至少添加一个交易对。</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="637"/>
        <source>Invalid server address — use http://host:port, e.g. http://127.0.0.1:8765 (%1)</source>
        <translation>服务器地址无效——请使用 http://主机:端口 格式，例如 http://127.0.0.1:8765（%1）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="644"/>
        <source>Enter both the API key and the secret.</source>
        <translation>请同时填写 API Key 和 Secret Key。</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="647"/>
        <source>Add at least one code.</source>
        <translation>请至少添加一个代码。</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="654"/>
        <source>Invalid port: %1 — use a number from 1 to 65535, or leave it empty to find the running terminal automatically.</source>
        <translation>端口无效：%1 — 请填写 1 到 65535 之间的数字，或留空以自动查找正在运行的终端。</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="662"/>
        <source>empty code</source>
        <translation>代码为空</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="663"/>
        <source>an A-share code has exactly 6 digits, e.g. 600519.SH</source>
        <translation>A股代码必须是 6 位数字，例如 600519.SH</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="665"/>
        <source>the market is missing: add .SH (Shanghai), .SZ (Shenzhen) or .BJ (Beijing)</source>
        <translation>缺少市场后缀：请加上 .SH（上海）、.SZ（深圳）或 .BJ（北京）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="667"/>
        <source>the market must be SH (Shanghai), SZ (Shenzhen) or BJ (Beijing)</source>
        <translation>市场必须是 SH（上海）、SZ（深圳）或 BJ（北京）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="668"/>
        <source>not in the form 600519.SH (6 digits, a dot, then SH, SZ or BJ)</source>
        <translation>格式应为 600519.SH（6 位数字、一个点、再加 SH、SZ 或 BJ）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="670"/>
        <source>Not an A-share code: %1 — %2</source>
        <translation>不是A股代码：%1 — %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="679"/>
        <source>The operating system keyring is not available, so the stored API keys for %1 were not deleted. (%2)</source>
        <translation>系统钥匙串不可用，未能删除 %1 保存的 API 密钥。（%2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="684"/>
        <source>The operating system keyring is not available, so the API keys for %1 were not saved and no setting was changed. Clear the key fields to continue without keys. (%2)</source>
        <translation>系统钥匙串不可用，%1 的 API 密钥未保存，设置也未作任何更改。清空密钥输入框即可不用密钥继续。（%2）</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="91"/>
        <source>Price Monitor</source>
        <translation>价格监控</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="111"/>
        <source>Waiting for data…</source>
        <translation>等待数据…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="199"/>
        <source>Watchlist</source>
        <translation>自选</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="209"/>
        <source>Monitor</source>
        <translation>监控</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="210"/>
        <source>Alert history</source>
        <translation>预警记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="213"/>
        <source>Rules and alerts</source>
        <translation>监控与预警</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="222"/>
        <source>Feed</source>
        <translation>行情</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="225"/>
        <source>DEMO DATA — replaying recorded market data</source>
        <translation>演示数据 — 正在回放历史行情</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="231"/>
        <source>Replay speed</source>
        <translation>回放速度</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="241"/>
        <source>Chart</source>
        <translation>图表</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="244"/>
        <source>Timeframe</source>
        <translation>周期</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="252"/>
        <source>Latest bar</source>
        <translation>最新K线</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="253"/>
        <source>Scroll to the newest bar and follow it again</source>
        <translation>滚动到最新K线并继续跟随</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="259"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="260"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="264"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="267"/>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="268"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="275"/>
        <location filename="../../app/ui/main_window.py" line="815"/>
        <location filename="../../app/ui/main_window.py" line="822"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="277"/>
        <source>Follow system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="283"/>
        <source>Alert sound</source>
        <translation>预警声音</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="287"/>
        <source>Price &amp;feed…</source>
        <translation>行情源(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="295"/>
        <source>Database: %1</source>
        <translation>数据库：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="334"/>
        <source>LIVE — %1</source>
        <translation>实时 — %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="347"/>
        <source>QMT not used: %1</source>
        <translation>未使用 QMT：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="354"/>
        <source>QMT terminal found</source>
        <translation>发现 QMT 终端</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="355"/>
        <source>A QMT / MiniQMT terminal is running on this PC. Use it as the price feed instead of the demo data? (Settings → Price feed… changes it later.)</source>
        <translation>本机正在运行 QMT / MiniQMT 终端。是否用它作为行情源，代替演示数据？（之后可在 设置 → 行情源… 中更改。）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="426"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="846"/>
        <source>Still monitoring</source>
        <translation>仍在监控</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="847"/>
        <source>Price Monitor keeps watching your rules in the tray. Right-click the tray icon and choose Quit to stop it.</source>
        <translation>价格监控仍在系统托盘中监控您的规则。右键单击托盘图标并选择“退出”即可停止。</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="128"/>
        <source>QMT (simulated)</source>
        <translation>QMT（模拟）</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="167"/>
        <location filename="../../app/ui/main_window.py" line="343"/>
        <source>loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="212"/>
        <location filename="../../app/ui/application.py" line="262"/>
        <source>Price feed</source>
        <translation>行情源</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="427"/>
        <source>%1 stopped: %2</source>
        <translation>%1 已停止：%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="462"/>
        <source>Feed: demo (%1 symbols)</source>
        <translation>行情：演示（%1 个品种）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="469"/>
        <source>Feed silent — alerts are blind</source>
        <translation>行情源无数据 — 提醒暂时失效</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="472"/>
        <source>Feed back</source>
        <translation>行情已恢复</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="473"/>
        <source>%1 is delivering prices again; alerts are watching.</source>
        <translation>%1 已恢复推送行情，提醒继续监控。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="479"/>
        <source>%1 ticks/s</source>
        <translation>%1 笔/秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="495"/>
        <source>Data gap: %1 minute(s) missing for %2 — backfilling</source>
        <translation>数据缺口：%2 缺少 %1 分钟 — 正在补数</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="507"/>
        <source>Backfill of %1 failed: %2</source>
        <translation>%1 补数失败：%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="509"/>
        <source>%1: %2 of %3 missing minute(s) filled; the rest stays marked missing</source>
        <translation>%1：缺失的 %3 分钟中已补 %2 分钟，其余标记为缺失</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="512"/>
        <source>%1: gap of %2 minute(s) filled from backfill</source>
        <translation>%1：已补齐 %2 分钟的数据缺口</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="598"/>
        <source>%1 is not in the watchlist: no chart to show</source>
        <translation>%1 不在自选列表中：没有可显示的图表</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="659"/>
        <source>%1 new alert(s)</source>
        <translation>%1 条新预警</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="677"/>
        <source>Rule paused</source>
        <translation>规则已暂停</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="678"/>
        <source>Check its levels, then press Start to resume.</source>
        <translation>请检查条件，然后点击“启动”恢复监控。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="704"/>
        <source>Database repaired</source>
        <translation>数据库已修复</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="706"/>
        <source>The database could not be read and was set aside as
%1
A new, empty database is in use. Nothing was deleted.</source>
        <translation>数据库无法读取，已另存为
%1
现在使用一个新的空数据库。没有删除任何文件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="718"/>
        <source>Error: %1</source>
        <translation>错误：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="763"/>
        <source>Alert sounds muted until %1</source>
        <translation>预警声音已静音至 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="768"/>
        <source>Alert sounds are on again</source>
        <translation>预警声音已恢复</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="827"/>
        <source>The change is used after a restart. Restart now?</source>
        <translation>更改将在重启后生效。现在重启吗？</translation>
    </message>
</context>
<context>
    <name>MonitorPanel</name>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="898"/>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="899"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="901"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="902"/>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="903"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="904"/>
        <source>Start all</source>
        <translation>全部启动</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="905"/>
        <source>Stop all</source>
        <translation>全部停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="1018"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="1027"/>
        <source>Saved “%1”.</source>
        <translation>已保存“%1”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="1072"/>
        <source>Delete rule</source>
        <translation>删除规则</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="1073"/>
        <source>Delete “%1” (%2)? Its alert history is kept.</source>
        <translation>删除“%1”（%2）吗？它的预警记录会保留。</translation>
    </message>
</context>
<context>
    <name>OverflowNotice</name>
    <message numerus="yes">
        <location filename="../../app/ui/popup.py" line="393"/>
        <source>+%n more alert(s) in the history</source>
        <translation>
            <numerusform>预警记录中还有 %n 条</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <location filename="../../app/ui/preferences.py" line="106"/>
        <source>Settings</source>
        <extracomment>Shown in the stop-loss seconds box while &quot;stay until acknowledged&quot; is ticked. Symbols named in the feed summary before &quot;and N more&quot;. The AppSettings properties this dialog edits. Settings that only take effect after a restart; the window offers one for them. Settings the window applies at once. &quot;Change price feed…&quot; was clicked: the window opens the feed dialog. OK or Apply stored these settings (a ``set[str]`` of AppSettings property names); not emitted when nothing changed.</extracomment>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="114"/>
        <source>Change price feed…</source>
        <translation>更改行情源…</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="116"/>
        <source>A new price feed is used after a restart.</source>
        <translation>新的行情源在重启后生效。</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="120"/>
        <source>Used only by the demo feed.</source>
        <translation>仅用于演示行情。</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="123"/>
        <source>Play alert sounds</source>
        <translation>播放提醒声音</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="124"/>
        <source>Stop-loss sound repeats until acknowledged</source>
        <translation>止损声音重复播放，直到确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="125"/>
        <location filename="../../app/ui/preferences.py" line="126"/>
        <location filename="../../app/ui/preferences.py" line="128"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="127"/>
        <source>Stay until acknowledged</source>
        <translation>保持显示直到确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="129"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="131"/>
        <source>Minimise to the tray when the window is closed (alerts keep working)</source>
        <translation>关闭窗口时最小化到托盘（提醒继续工作）</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="133"/>
        <source>Show alerts as tray messages</source>
        <translation>以托盘消息显示提醒</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="134"/>
        <source>This desktop has no system tray.</source>
        <translation>此桌面没有系统托盘。</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="141"/>
        <source>Follow system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="144"/>
        <source>The language changes after a restart.</source>
        <translation>语言在重启后更改。</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="149"/>
        <source>Red up, green down (A-share)</source>
        <translation>红涨绿跌（A股习惯）</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="150"/>
        <source>Green up, red down</source>
        <translation>绿涨红跌</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="271"/>
        <source>Current price feed</source>
        <translation>当前行情源</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="278"/>
        <source>Demo feed</source>
        <translation>演示行情</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="280"/>
        <source>Demo replay speed:</source>
        <translation>演示回放速度：</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="283"/>
        <source>Price feed</source>
        <translation>行情源</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="286"/>
        <source>Sounds</source>
        <translation>声音</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="290"/>
        <source>Repeat every:</source>
        <translation>重复间隔：</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="292"/>
        <source>Popups</source>
        <translation>弹窗</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="294"/>
        <source>Entry and take-profit popups close after:</source>
        <translation>入场和止盈弹窗自动关闭时间：</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="297"/>
        <source>or close after:</source>
        <translation>或在此时间后关闭：</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="301"/>
        <source>Stop-loss popups:</source>
        <translation>止损弹窗：</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="302"/>
        <source>Snooze for:</source>
        <translation>稍后提醒时长：</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="303"/>
        <source>System tray</source>
        <translation>系统托盘</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="309"/>
        <source>Notifications and sounds</source>
        <translation>通知与声音</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="312"/>
        <location filename="../../app/ui/preferences.py" line="317"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="314"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="320"/>
        <location filename="../../app/ui/preferences.py" line="325"/>
        <source>Chart</source>
        <translation>图表</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="322"/>
        <source>Up and down colours:</source>
        <translation>涨跌颜色：</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="323"/>
        <source>Default timeframe:</source>
        <translation>默认周期：</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="328"/>
        <source>Seconds between repeats of the stop-loss sound until you acknowledge it.</source>
        <translation>在您确认之前，止损声音每隔多少秒重复一次。</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="331"/>
        <source>How long Snooze on a popup puts the alert off before it reminds you again.</source>
        <translation>弹窗上的“稍后提醒”将提醒推迟多久后再次提醒您。</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="334"/>
        <source>Colours of rising and falling prices in the chart and the watchlist.</source>
        <translation>图表和自选列表中上涨与下跌价格的颜色。</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="368"/>
        <source>Stop-loss sound repeat</source>
        <translation>止损声音重复</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="369"/>
        <source>Entry and take-profit popups</source>
        <translation>入场和止盈弹窗</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="370"/>
        <source>Stop-loss popups</source>
        <translation>止损弹窗</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="371"/>
        <source>Snooze</source>
        <translation>稍后提醒</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="378"/>
        <source>%1: enter a whole number from %2 to %3.</source>
        <translation>%1：请输入 %2 到 %3 之间的整数。</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="406"/>
        <source>perpetual swap</source>
        <translation>永续合约</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="406"/>
        <source>spot</source>
        <translation>现货</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="407"/>
        <source>Crypto exchange %1 (%2): %3</source>
        <translation>加密货币交易所 %1（%2）：%3</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="410"/>
        <source>Server: %1</source>
        <translation>服务器：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="413"/>
        <source>QMT / MiniQMT (A-shares): %1</source>
        <translation>QMT / MiniQMT（A股）：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="415"/>
        <source>Also watching the whole A-share market (沪深A股)</source>
        <translation>同时监控全部A股（沪深A股）</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="417"/>
        <source>Terminal port: %1</source>
        <translation>终端端口：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/preferences.py" line="419"/>
        <source>Demo: recorded market data replayed as live prices</source>
        <translation>演示：以录制的行情数据回放为实时价格</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/preferences.py" line="426"/>
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 等另外 %n 个</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <location filename="../../app/ui/formatting.py" line="137"/>
        <source>stop-loss level</source>
        <translation>止损价位</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="139"/>
        <source>take-profit level</source>
        <translation>止盈价位</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="141"/>
        <source>entry-zone bound</source>
        <translation>入场区间边界</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="143"/>
        <source>crossing level</source>
        <translation>穿越价位</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="145"/>
        <source>price of the change target vs the previous close</source>
        <translation>相对昨收的涨跌幅目标价</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="147"/>
        <source>trailing-stop level</source>
        <translation>回落卖出价位</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="148"/>
        <source>trailing-entry level</source>
        <translation>反弹买入价位</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="155"/>
        <source>backfill (prices recovered after a feed outage)</source>
        <translation>补数据（行情中断后补回的价格）</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="158"/>
        <source>replay (recorded prices)</source>
        <translation>回放（录制的价格）</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="159"/>
        <source>live data</source>
        <translation>实时数据</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="165"/>
        <source>first price %1</source>
        <translation>首个价格 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="168"/>
        <source>from %1 → %2</source>
        <translation>从 %1 → %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="197"/>
        <source>Fired by price %1 at market time %2</source>
        <translation>由价格 %1 在市场时间 %2 触发</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="200"/>
        <source>Level: %1 (%2)</source>
        <translation>价位：%1（%2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="205"/>
        <source>No previous price: this was the first price the rule saw</source>
        <translation>没有前一价格：这是规则看到的第一个价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="209"/>
        <source>Crossed from %1 to %2</source>
        <translation>从 %1 穿越到 %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/formatting.py" line="214"/>
        <source>Data: %1</source>
        <translation>数据：%1</translation>
    </message>
</context>
<context>
    <name>RuleForm</name>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="459"/>
        <location filename="../../app/ui/monitor_panel.py" line="480"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="481"/>
        <source>every tick</source>
        <translation>每笔行情</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="482"/>
        <source>Only during trading hours</source>
        <translation>仅在交易时段</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="483"/>
        <source>Popup, tray and sound</source>
        <translation>弹窗、托盘和声音</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="485"/>
        <source>Auto trade (saved; order placement comes later)</source>
        <translation>自动交易（仅保存设置；下单功能后续提供）</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="493"/>
        <source>On the market&apos;s clock (Beijing time for A-shares)</source>
        <translation>按市场时间（A股为北京时间）</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="392"/>
        <source>low (optional)</source>
        <translation>下限（可选）</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="393"/>
        <source>high (optional)</source>
        <translation>上限（可选）</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="363"/>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="327"/>
        <location filename="../../app/ui/monitor_panel.py" line="398"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="327"/>
        <location filename="../../app/ui/monitor_panel.py" line="368"/>
        <location filename="../../app/ui/monitor_panel.py" line="372"/>
        <source>% from cost</source>
        <translation>成本价 ±%</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="330"/>
        <source>%</source>
        <translation>百分比</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="330"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="334"/>
        <source>e.g. Moutai stop</source>
        <translation>例如：茅台止损</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="769"/>
        <source>Short: take profit below the cost, stop loss above it</source>
        <translation>做空：止盈在成本价下方，止损在上方</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="362"/>
        <source>Take profit / stop loss</source>
        <translation>止盈止损</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="343"/>
        <source>Short mirrors every exit: profit when the price falls</source>
        <translation>做空：所有离场条件反向，价格下跌时盈利</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="365"/>
        <source>needed for a take profit or stop loss in %</source>
        <translation>按百分比设置止盈止损时需要</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="367"/>
        <location filename="../../app/ui/monitor_panel.py" line="371"/>
        <source>price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="381"/>
        <source>Take profit</source>
        <translation>止盈</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="386"/>
        <source>Stop loss</source>
        <translation>止损</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="391"/>
        <source>Entry zone</source>
        <translation>进场区间</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="395"/>
        <source>Alerts when the price is inside the zone; leave one side empty for “at or above” / “at or below”.</source>
        <translation>价格进入区间时提醒；只填一边表示“不低于”或“不高于”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="402"/>
        <source>Price crossing</source>
        <translation>价格穿越</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="403"/>
        <source>level</source>
        <translation>价位</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="407"/>
        <source>Alerts when the price moves through the level (not when it merely is there).</source>
        <translation>价格穿过该价位时提醒（仅停在该价位不算）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="413"/>
        <source>Change vs previous close</source>
        <translation>涨跌幅（相对昨收）</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="414"/>
        <location filename="../../app/ui/monitor_panel.py" line="415"/>
        <source>e.g. 5</source>
        <translation>例如 5</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="417"/>
        <source>Rise ≥</source>
        <translation>涨幅 ≥</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="418"/>
        <source>Fall ≥</source>
        <translation>跌幅 ≥</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="422"/>
        <location filename="../../app/ui/monitor_panel.py" line="438"/>
        <source>optional: start tracking at this price</source>
        <translation>可选：价格到达后才开始跟踪</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="424"/>
        <location filename="../../app/ui/monitor_panel.py" line="440"/>
        <source>e.g. 3</source>
        <translation>例如 3</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="425"/>
        <location filename="../../app/ui/monitor_panel.py" line="441"/>
        <source>price difference</source>
        <translation>价差</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="428"/>
        <location filename="../../app/ui/monitor_panel.py" line="444"/>
        <source>Activation price</source>
        <translation>启动价</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="453"/>
        <source>How often to alert</source>
        <translation>触发方式</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="460"/>
        <source>no cooldown</source>
        <translation>无冷却</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="462"/>
        <source>Price difference</source>
        <translation>价差</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="462"/>
        <source>% of level</source>
        <translation>价位的 %</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="463"/>
        <source>0 = as soon as it leaves</source>
        <translation>0 = 一离开就重置</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="464"/>
        <source>e.g. 0.5</source>
        <translation>例如 0.5</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="477"/>
        <source>Other settings</source>
        <translation>其他设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="520"/>
        <source>Last %1</source>
        <translation>最新价 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="770"/>
        <source>Long: take profit above the cost, stop loss below it</source>
        <translation>做多：止盈在成本价上方，止损在下方</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="775"/>
        <source>Trailing stop for a short (rebound → cover)</source>
        <translation>反弹平空（空单跟踪止损）</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="776"/>
        <location filename="../../app/ui/monitor_panel.py" line="792"/>
        <source>Rebound by</source>
        <translation>反弹幅度</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="778"/>
        <location filename="../../app/ui/monitor_panel.py" line="794"/>
        <source>Follows the lowest price since activation; alerts when the price rebounds this much from it.</source>
        <translation>跟踪启动以来的最低价；从最低价反弹达到该幅度时提醒。</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="780"/>
        <source>Trailing entry for a short (pull-back → sell short)</source>
        <translation>回落开空（空单跟踪进场）</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="781"/>
        <location filename="../../app/ui/monitor_panel.py" line="787"/>
        <source>Pull back by</source>
        <translation>回落幅度</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="783"/>
        <location filename="../../app/ui/monitor_panel.py" line="789"/>
        <source>Follows the highest price since activation; alerts when the price falls this much from it.</source>
        <translation>跟踪启动以来的最高价；从最高价回落达到该幅度时提醒。</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="786"/>
        <source>Sell on pull-back (trailing stop)</source>
        <translation>回落卖出（跟踪止损）</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="791"/>
        <source>Buy on rebound (trailing entry)</source>
        <translation>反弹买入（跟踪进场）</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="797"/>
        <source>Each condition alerts once; the rule ends after an exit (take profit, stop loss, trailing stop).</source>
        <translation>每个条件只提醒一次；止盈、止损或回落卖出触发后，规则结束。</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="799"/>
        <source>Each condition alerts at most once per bar of this timeframe.</source>
        <translation>在该周期的每根K线内，每个条件最多提醒一次。</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="800"/>
        <source>Alerts every time the condition is met, at most once per cooldown.</source>
        <translation>每次满足条件都提醒；冷却时间内最多提醒一次。</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="801"/>
        <source>After an alert, the condition alerts again only once the price has moved back out of its range by this distance.</source>
        <translation>提醒后，价格须反向离开触发区间超过此距离，才会再次提醒。</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="805"/>
        <source>● set</source>
        <translation>● 已设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="830"/>
        <source>≈ %1</source>
        <translation>≈ %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="835"/>
        <source>%1% vs cost</source>
        <translation>较成本 %1%</translation>
    </message>
</context>
<context>
    <name>RuleTableModel</name>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="119"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="120"/>
        <source>Symbol</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="121"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="122"/>
        <source>Conditions</source>
        <translation>条件</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="123"/>
        <source>Trigger</source>
        <translation>触发方式</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="146"/>
        <source>Paused automatically because it alerted too often. Check its levels, then press Start to resume.</source>
        <translation>触发过于频繁，已被自动暂停。请检查条件，然后点击“启动”恢复。</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="124"/>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location filename="../../app/ui/monitor_panel.py" line="125"/>
        <source>Fired</source>
        <translation>已触发</translation>
    </message>
</context>
<context>
    <name>RuleText</name>
    <message>
        <location filename="../../app/ui/rule_text.py" line="26"/>
        <source>Task name</source>
        <translation>任务名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="27"/>
        <source>Symbol</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="28"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="29"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="30"/>
        <source>Check interval</source>
        <translation>检查间隔</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="31"/>
        <source>Auto trade</source>
        <translation>自动交易</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="32"/>
        <source>Trading hours only</source>
        <translation>仅交易时段</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="33"/>
        <source>Entry zone low</source>
        <translation>进场区间下限</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="34"/>
        <source>Entry zone high</source>
        <translation>进场区间上限</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="35"/>
        <source>Take profit</source>
        <translation>止盈价</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="36"/>
        <source>Stop loss</source>
        <translation>止损价</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="37"/>
        <source>Notifications</source>
        <translation>通知</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="38"/>
        <source>Quant config</source>
        <translation>量化配置</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="39"/>
        <source>Validity</source>
        <translation>有效期</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="40"/>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="41"/>
        <source>Conditions</source>
        <translation>条件</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="42"/>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="43"/>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="44"/>
        <source>Crossing level</source>
        <translation>穿越价位</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="45"/>
        <source>Crossing direction</source>
        <translation>穿越方向</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="46"/>
        <source>Cost price</source>
        <translation>成本价</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="47"/>
        <source>Take profit %</source>
        <translation>止盈幅度（%）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="48"/>
        <source>Stop loss %</source>
        <translation>止损幅度（%）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="49"/>
        <source>Rise vs previous close %</source>
        <translation>涨幅（%）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="50"/>
        <source>Fall vs previous close %</source>
        <translation>跌幅（%）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="51"/>
        <source>Trailing stop activation price</source>
        <translation>回落卖出启动价</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="52"/>
        <source>Trailing stop pull-back %</source>
        <translation>回落幅度（%）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="53"/>
        <source>Trailing stop pull-back amount</source>
        <translation>回落金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="54"/>
        <source>Trailing entry activation price</source>
        <translation>反弹买入启动价</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="55"/>
        <source>Trailing entry rebound %</source>
        <translation>反弹幅度（%）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="56"/>
        <source>Trailing entry rebound amount</source>
        <translation>反弹金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="57"/>
        <source>Trigger mode</source>
        <translation>触发方式</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="58"/>
        <source>Bar timeframe</source>
        <translation>K线周期</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="59"/>
        <source>Cooldown</source>
        <translation>冷却时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="60"/>
        <source>Re-arm distance</source>
        <translation>重新触发距离</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="61"/>
        <source>Re-arm distance %</source>
        <translation>重新触发距离（%）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="68"/>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="69"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="70"/>
        <source>Triggered</source>
        <translation>已触发</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="71"/>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="72"/>
        <source>Paused (fired too often)</source>
        <translation>已暂停·触发过频</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="78"/>
        <source>Until cancelled</source>
        <translation>长期有效</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="79"/>
        <source>Today only</source>
        <translation>当日有效</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="80"/>
        <source>Until a date and time</source>
        <translation>指定时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="86"/>
        <source>Long</source>
        <translation>做多</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="87"/>
        <source>Short</source>
        <translation>做空</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="93"/>
        <source>Crosses up</source>
        <translation>上穿</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="94"/>
        <source>Crosses down</source>
        <translation>下穿</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="95"/>
        <source>Either way</source>
        <translation>任意方向</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="101"/>
        <source>Only once</source>
        <translation>仅一次</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="102"/>
        <source>Once per bar</source>
        <translation>每根K线一次</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="103"/>
        <source>Every time (with cooldown)</source>
        <translation>每次（冷却）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="104"/>
        <source>Again after moving back out</source>
        <translation>回到区间后重新触发</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="110"/>
        <source>1 minute</source>
        <translation>1分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="111"/>
        <source>5 minutes</source>
        <translation>5分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="112"/>
        <source>15 minutes</source>
        <translation>15分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="113"/>
        <source>30 minutes</source>
        <translation>30分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="114"/>
        <source>1 hour</source>
        <translation>1小时</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="115"/>
        <source>4 hours</source>
        <translation>4小时</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="116"/>
        <source>1 day</source>
        <translation>日线</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="122"/>
        <source>Entry</source>
        <translation>进场</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="123"/>
        <source>TP</source>
        <translation>止盈</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="124"/>
        <source>SL</source>
        <translation>止损</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="125"/>
        <source>Cross↑</source>
        <translation>上穿</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="126"/>
        <source>Cross↓</source>
        <translation>下穿</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="127"/>
        <source>Rise</source>
        <translation>涨幅</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="128"/>
        <source>Fall</source>
        <translation>跌幅</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="129"/>
        <source>Trail</source>
        <translation>回落</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="130"/>
        <source>Rebound</source>
        <translation>反弹</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="155"/>
        <source>Entry %1–%2</source>
        <translation>进场 %1–%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="157"/>
        <source>Entry ≥ %1</source>
        <translation>进场 ≥ %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="159"/>
        <source>Entry ≤ %1</source>
        <translation>进场 ≤ %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="161"/>
        <source>TP %1</source>
        <translation>止盈 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="164"/>
        <source>TP %1% (≈ %2)</source>
        <translation>止盈 %1%（≈%2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="168"/>
        <source>SL %1</source>
        <translation>止损 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="171"/>
        <source>SL %1% (≈ %2)</source>
        <translation>止损 %1%（≈%2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="176"/>
        <source>Cross ↑ %1</source>
        <translation>上穿 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="177"/>
        <source>Cross ↓ %1</source>
        <translation>下穿 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="178"/>
        <source>Cross %1</source>
        <translation>穿越 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="182"/>
        <source>Rise ≥ %1%</source>
        <translation>涨幅 ≥ %1%</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="184"/>
        <source>Fall ≥ %1%</source>
        <translation>跌幅 ≥ %1%</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="187"/>
        <source>Trailing stop (short) %1</source>
        <translation>反弹平空 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="188"/>
        <source>Trailing stop %1</source>
        <translation>回落卖出 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="191"/>
        <location filename="../../app/ui/rule_text.py" line="199"/>
        <source> from %1</source>
        <translation>（%1 启动）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="195"/>
        <source>Trailing entry (short) %1</source>
        <translation>回落开空 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="196"/>
        <source>Trailing entry %1</source>
        <translation>反弹买入 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="208"/>
        <source>[Short] %1</source>
        <translation>[空] %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="217"/>
        <location filename="../../app/ui/rule_text.py" line="229"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="220"/>
        <source>Every time, no cooldown</source>
        <translation>每次（无冷却）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="221"/>
        <source>Every time, cooldown %1 s</source>
        <translation>每次（冷却 %1 秒）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="229"/>
        <source>by %1</source>
        <translation>距离 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="235"/>
        <source>”, “</source>
        <translation>」、「</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="237"/>
        <source>Rule “%1” fired too often and was paused</source>
        <translation>规则「%1」触发过于频繁，已暂停</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="238"/>
        <source>Rules “%1” fired too often and were paused</source>
        <translation>规则「%1」触发过于频繁，已暂停</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="244"/>
        <source>Trailing stop pull-back (% or amount)</source>
        <translation>回落幅度或金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="246"/>
        <source>Trailing entry rebound (% or amount)</source>
        <translation>反弹幅度或金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="254"/>
        <source>is required</source>
        <translation>不能为空</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="255"/>
        <source>must be text</source>
        <translation>必须是文本</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="256"/>
        <source>must be at most %1 characters</source>
        <translation>最多 %1 个字符</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="257"/>
        <source>must not contain spaces</source>
        <translation>不能包含空格</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="258"/>
        <source>must be a number</source>
        <translation>必须是数字</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="259"/>
        <source>must be a finite number</source>
        <translation>必须是有效数字</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="260"/>
        <source>must be above 0</source>
        <translation>必须大于 0</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="261"/>
        <source>must be a whole number</source>
        <translation>必须是整数</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="262"/>
        <source>must be at least %1</source>
        <translation>不能小于 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="263"/>
        <source>must be true or false</source>
        <translation>必须是“是”或“否”</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="264"/>
        <source>is not a known status</source>
        <translation>不是有效状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="265"/>
        <source>must not be above the entry zone high (%1 &gt; %2)</source>
        <translation>不能高于进场区间上限（%1 &gt; %2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="266"/>
        <source>must be below the take profit (%1 ≥ %2)</source>
        <translation>必须低于止盈价（%1 ≥ %2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="267"/>
        <source>must be above the take profit for a short (%1 ≤ %2)</source>
        <translation>做空时必须高于止盈价（%1 ≤ %2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="270"/>
        <source>set at least one condition: take profit, stop loss, entry zone, crossing, rise/fall vs previous close, trailing stop or trailing entry</source>
        <translation>请至少设置一个条件：止盈、止损、进场区间、价格穿越、涨跌幅、回落卖出或反弹买入</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="275"/>
        <source>is not valid JSON: %1</source>
        <translation>不是有效的 JSON：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="276"/>
        <source>must be a JSON object</source>
        <translation>必须是 JSON 对象</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="277"/>
        <source>is not a known field</source>
        <translation>不是已知字段</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="278"/>
        <source>is not a known validity</source>
        <translation>不是有效的有效期类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="279"/>
        <source>must be a date and time</source>
        <translation>必须是日期时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="280"/>
        <source>is already in the past</source>
        <translation>已经过去</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="281"/>
        <source>set either this or “%1”, not both</source>
        <translation>与“%1”只能设置其一</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="282"/>
        <source>is required when “%1” is set</source>
        <translation>设置了“%1”时必须填写</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="283"/>
        <source>must be a percentage above 0 and below %1</source>
        <translation>必须是大于 0 且小于 %1 的百分比</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="284"/>
        <source>must be one of %1</source>
        <translation>必须是以下之一：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="285"/>
        <source>%1 bars do not exist for this market (A-shares: use 1h or 1d)</source>
        <translation>该市场没有 %1 K线（A股请用 1小时 或 日线）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rule_text.py" line="307"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>SymbolListEditor</name>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="183"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="188"/>
        <source>Symbols separated by commas, e.g. BTC/USDT, ETH/USDT</source>
        <translation>多个交易对用逗号分隔，例如 BTC/USDT, ETH/USDT</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="190"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../app/ui/feed_settings.py" line="253"/>
        <source>Not a symbol: %1</source>
        <translation>不是有效的交易对：%1</translation>
    </message>
</context>
<context>
    <name>SymbolSearchBox</name>
    <message>
        <location filename="../../app/ui/symbol_search.py" line="74"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../app/ui/symbol_search.py" line="153"/>
        <source>Unknown symbol on %1: %2</source>
        <translation>%1 上没有该交易对：%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/symbol_search.py" line="155"/>
        <source>Unknown symbol: %1</source>
        <translation>未知交易对：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/symbol_search.py" line="164"/>
        <source>Search code, e.g. 600519 or 600519.SH</source>
        <translation>搜索代码，例如 600519 或 600519.SH</translation>
    </message>
    <message>
        <location filename="../../app/ui/symbol_search.py" line="166"/>
        <source>Search symbol, e.g. BTC/USDT or btcusdt</source>
        <translation>搜索交易对，例如 BTC/USDT 或 btcusdt</translation>
    </message>
    <message>
        <location filename="../../app/ui/symbol_search.py" line="169"/>
        <source>Loading markets…</source>
        <translation>正在加载交易对…</translation>
    </message>
</context>
<context>
    <name>Watchlist</name>
    <message>
        <location filename="../../app/ui/watchlist.py" line="41"/>
        <source>Symbol</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/watchlist.py" line="41"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/watchlist.py" line="41"/>
        <source>Last</source>
        <translation>最新价</translation>
    </message>
    <message>
        <location filename="../../app/ui/watchlist.py" line="41"/>
        <source>Change</source>
        <translation>涨跌幅</translation>
    </message>
    <message>
        <location filename="../../app/ui/watchlist.py" line="50"/>
        <source>Remove from watchlist</source>
        <translation>从自选中移除</translation>
    </message>
</context>
</TS>
